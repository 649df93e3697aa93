"""Generate Runstage's demo data: Halvard Insurance Group, a fictional European insurer.

    .venv/bin/python demo/generate.py          # rewrites demo/*.json

Deterministic: every sys_id is a uuid5 of the record's table and key, so the files (and the
sys_ids people bookmark) are the same on every run. The output is ServiceNow Table API JSON,
one file per table, loaded by `manage.py load_demo` (or `import_servicenow demo/`).
The deliberate data-health gaps are listed in demo/README.md; keep the two in step.
"""

import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmdb.relationship_types import STANDARD_RELATIONSHIP_TYPES, standard_sys_id  # noqa: E402
from demo.catalog import RequestCatalog  # noqa: E402
from demo.customers import ACCOUNTS, FOUNDATION_CONTACTS, CustomerBase  # noqa: E402
from demo.history import OperationsHistory  # noqa: E402

DEMO = Path(__file__).resolve().parent
NAMESPACE = uuid.UUID("3d0f6f7e-8a55-4b8e-b0a1-48616c766172")


def sid(table, key):
    return uuid.uuid5(NAMESPACE, f"{table}:{key}").hex


class Tables:
    """Rows per table, in the order they were added."""

    def __init__(self):
        self.rows = {}

    def add(self, table, key, **fields):
        row = {"sys_id": sid(table, key), **{name: text(value) for name, value in fields.items()}}
        self.rows.setdefault(table, []).append(row)
        return row["sys_id"]

    @staticmethod
    def sys_id(table, key):
        return sid(table, key)

    def add_with_sys_id(self, table, sys_id, **fields):
        self.rows.setdefault(table, []).append({"sys_id": sys_id, **{k: text(v) for k, v in fields.items()}})

    def write(self, folder):
        for old in folder.glob("*.json"):
            old.unlink()
        for table, rows in sorted(self.rows.items()):
            document = json.dumps({"result": rows}, indent=2, ensure_ascii=False)
            (folder / f"{table}.json").write_text(document + "\n", encoding="utf-8")


def text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


REL_TYPES = {
    name.partition("::")[0]: standard_sys_id(name, known).hex
    for name, _, known in STANDARD_RELATIONSHIP_TYPES
}
PROPAGATING_TYPES = frozenset(
    standard_sys_id(name, known).hex for name, propagates, known in STANDARD_RELATIONSHIP_TYPES if propagates
)

# --- Organisation --------------------------------------------------------------------------

COMPANIES = {
    # key: (name, parent, country, city, customer, vendor, manufacturer, website)
    "group": (
        "Halvard Insurance Group",
        None,
        "United Kingdom",
        "London",
        False,
        False,
        False,
        "https://halvard.example",
    ),
    "life": (
        "Halvard Life",
        "group",
        "United Kingdom",
        "London",
        False,
        False,
        False,
        "https://life.halvard.example",
    ),
    "direct": (
        "Halvard Direct",
        "group",
        "Germany",
        "Frankfurt",
        False,
        False,
        False,
        "https://direct.halvard.example",
    ),
    "brightwater": (
        "Brightwater Retail",
        None,
        "Netherlands",
        "Amsterdam",
        True,
        False,
        False,
        "https://brightwater.example",
    ),
    "dell": (
        "Dell Technologies",
        None,
        "United States",
        "Round Rock",
        False,
        True,
        True,
        "https://dell.example",
    ),
    "f5": ("F5", None, "United States", "Seattle", False, True, True, "https://f5.example"),
    "oracle": ("Oracle", None, "United States", "Austin", False, True, True, "https://oracle.example"),
}

# key: (name, parent, city, country, time zone)
LOCATIONS = {
    "emea": ("EMEA", None, "", "", "Europe/London"),
    "americas": ("Americas", None, "", "", "America/Toronto"),
    "london": ("London", "emea", "London", "United Kingdom", "Europe/London"),
    "frankfurt": ("Frankfurt", "emea", "Frankfurt", "Germany", "Europe/Berlin"),
    "amsterdam": ("Amsterdam", "emea", "Amsterdam", "Netherlands", "Europe/Amsterdam"),
    "toronto": ("Toronto", "americas", "Toronto", "Canada", "America/Toronto"),
    "halvard-house": ("London – Halvard House", "london", "London", "United Kingdom", "Europe/London"),
    "ldn-dc": ("London – LDN1 Data Centre", "london", "London", "United Kingdom", "Europe/London"),
    "fra-office": ("Frankfurt – Mainzer Landstraße 50", "frankfurt", "Frankfurt", "Germany", "Europe/Berlin"),
    "fra-dc": ("Frankfurt – FRA1 Data Centre", "frankfurt", "Frankfurt", "Germany", "Europe/Berlin"),
    "zuidas": ("Amsterdam – Zuidas Office", "amsterdam", "Amsterdam", "Netherlands", "Europe/Amsterdam"),
    "bay-street": ("Toronto – Bay Street Office", "toronto", "Toronto", "Canada", "America/Toronto"),
}

# key: (name, code, company, parent, head)
DEPARTMENTS = {
    "exec": ("Executive Office", "EXE", "group", None, "helen.walsh"),
    "it": ("Information Technology", "IT", "group", None, "marcus.reid"),
    "infra": ("Infrastructure & Operations", "IT-INF", "group", "it", "lena.fischer"),
    "apps": ("Application Services", "IT-APP", "group", "it", "tom.bennett"),
    "itsm": ("Service Management", "IT-SM", "group", "it", "raj.patel"),
    "finance": ("Finance", "FIN", "group", None, "grace.okafor"),
    "hr": ("People & Culture", "HR", "group", None, "nina.larsen"),
    "life-ops": ("Life Operations", "LIFE-OPS", "life", None, "james.hughes"),
    "claims": ("Claims", "LIFE-CLM", "life", "life-ops", "david.morgan"),
    "underwriting": ("Underwriting", "LIFE-UW", "life", "life-ops", "priya.shah"),
    "customer-service": ("Customer Service", "LIFE-CS", "life", "life-ops", "oliver.grant"),
    "direct-ops": ("Direct Operations", "DIR-OPS", "direct", None, "jonas.weber"),
    "digital-sales": ("Digital Sales", "DIR-DS", "direct", "direct-ops", "sofia.berg"),
    "direct-claims": ("Claims Direct", "DIR-CLM", "direct", "direct-ops", "katrin.vogel"),
    "bw-benefits": ("Employee Benefits", "BW-BEN", "brightwater", None, "anouk.devries"),
}

# username: (first, last, title, company, department, location, manager)
USERS = {
    "helen.walsh": ("Helen", "Walsh", "Group Chief Executive", "group", "exec", "halvard-house", None),
    "marcus.reid": (
        "Marcus",
        "Reid",
        "Chief Information Officer",
        "group",
        "it",
        "halvard-house",
        "helen.walsh",
    ),
    "grace.okafor": (
        "Grace",
        "Okafor",
        "Chief Financial Officer",
        "group",
        "finance",
        "halvard-house",
        "helen.walsh",
    ),
    "nina.larsen": ("Nina", "Larsen", "Chief People Officer", "group", "hr", "halvard-house", "helen.walsh"),
    "james.hughes": (
        "James",
        "Hughes",
        "Chief Operating Officer, Life",
        "life",
        "life-ops",
        "halvard-house",
        "helen.walsh",
    ),
    "jonas.weber": (
        "Jonas",
        "Weber",
        "Managing Director, Direct",
        "direct",
        "direct-ops",
        "fra-office",
        "helen.walsh",
    ),
    "lena.fischer": (
        "Lena",
        "Fischer",
        "Head of Infrastructure",
        "group",
        "infra",
        "fra-office",
        "marcus.reid",
    ),
    "tom.bennett": (
        "Tom",
        "Bennett",
        "Head of Application Services",
        "group",
        "apps",
        "halvard-house",
        "marcus.reid",
    ),
    "raj.patel": ("Raj", "Patel", "Major Incident Manager", "group", "itsm", "halvard-house", "marcus.reid"),
    "david.morgan": ("David", "Morgan", "Head of Claims", "life", "claims", "halvard-house", "james.hughes"),
    "priya.shah": (
        "Priya",
        "Shah",
        "Head of Underwriting",
        "life",
        "underwriting",
        "halvard-house",
        "james.hughes",
    ),
    "oliver.grant": (
        "Oliver",
        "Grant",
        "Head of Customer Service",
        "life",
        "customer-service",
        "halvard-house",
        "james.hughes",
    ),
    "sofia.berg": (
        "Sofia",
        "Berg",
        "Head of Digital Sales",
        "direct",
        "digital-sales",
        "fra-office",
        "jonas.weber",
    ),
    "katrin.vogel": (
        "Katrin",
        "Vogel",
        "Head of Claims Direct",
        "direct",
        "direct-claims",
        "fra-office",
        "jonas.weber",
    ),
    "anouk.devries": ("Anouk", "de Vries", "Benefits Manager", "brightwater", "bw-benefits", "zuidas", None),
    "emma.clark": ("Emma", "Clark", "Claims Handler", "life", "claims", "halvard-house", "david.morgan"),
    "liam.turner": ("Liam", "Turner", "Claims Handler", "life", "claims", "halvard-house", "david.morgan"),
    "chloe.evans": (
        "Chloe",
        "Evans",
        "Senior Claims Assessor",
        "life",
        "claims",
        "halvard-house",
        "david.morgan",
    ),
    "noah.price": ("Noah", "Price", "Underwriter", "life", "underwriting", "halvard-house", "priya.shah"),
    "ava.collins": ("Ava", "Collins", "Underwriter", "life", "underwriting", "bay-street", "priya.shah"),
    "ethan.ward": (
        "Ethan",
        "Ward",
        "Customer Service Agent",
        "life",
        "customer-service",
        "halvard-house",
        "oliver.grant",
    ),
    "mia.hall": (
        "Mia",
        "Hall",
        "Customer Service Agent",
        "life",
        "customer-service",
        "bay-street",
        "oliver.grant",
    ),
    "felix.braun": (
        "Felix",
        "Braun",
        "Digital Product Manager",
        "direct",
        "digital-sales",
        "fra-office",
        "sofia.berg",
    ),
    "hannah.schmidt": (
        "Hannah",
        "Schmidt",
        "E-commerce Analyst",
        "direct",
        "digital-sales",
        "fra-office",
        "sofia.berg",
    ),
    "lukas.meyer": (
        "Lukas",
        "Meyer",
        "Claims Handler",
        "direct",
        "direct-claims",
        "fra-office",
        "katrin.vogel",
    ),
    "marie.koch": (
        "Marie",
        "Koch",
        "Claims Handler",
        "direct",
        "direct-claims",
        "fra-office",
        "katrin.vogel",
    ),
    "daniel.okoro": (
        "Daniel",
        "Okoro",
        "Financial Controller",
        "group",
        "finance",
        "halvard-house",
        "grace.okafor",
    ),
    "sarah.lewis": ("Sarah", "Lewis", "Payroll Manager", "group", "hr", "halvard-house", "nina.larsen"),
    "ben.foster": ("Ben", "Foster", "HR Business Partner", "group", "hr", "halvard-house", "nina.larsen"),
    "isabel.moreno": ("Isabel", "Moreno", "Service Desk Lead", "group", "itsm", "halvard-house", "raj.patel"),
    "kevin.obrien": (
        "Kevin",
        "O'Brien",
        "Service Desk Analyst",
        "group",
        "itsm",
        "halvard-house",
        "isabel.moreno",
    ),
    "yuki.tanaka": ("Yuki", "Tanaka", "Problem Manager", "group", "itsm", "halvard-house", "raj.patel"),
    "stefan.wolf": ("Stefan", "Wolf", "Linux Platform Lead", "group", "infra", "fra-office", "lena.fischer"),
    "anna.novak": ("Anna", "Novak", "Linux Engineer", "group", "infra", "fra-office", "stefan.wolf"),
    "peter.jansen": ("Peter", "Jansen", "Windows Platform Lead", "group", "infra", "zuidas", "lena.fischer"),
    "olga.ivanova": ("Olga", "Ivanova", "Database Lead", "group", "infra", "fra-office", "lena.fischer"),
    "tariq.hassan": (
        "Tariq",
        "Hassan",
        "Database Administrator",
        "group",
        "infra",
        "halvard-house",
        "olga.ivanova",
    ),
    "erik.johansson": ("Erik", "Johansson", "Network Lead", "group", "infra", "fra-office", "lena.fischer"),
    "amara.nwosu": ("Amara", "Nwosu", "Identity Engineer", "group", "infra", "halvard-house", "lena.fischer"),
    "lucy.green": ("Lucy", "Green", "Claims Systems Owner", "group", "apps", "halvard-house", "tom.bennett"),
    "max.keller": ("Max", "Keller", "Policy Systems Owner", "group", "apps", "fra-office", "tom.bennett"),
    "julia.romano": (
        "Julia",
        "Romano",
        "Digital Channels Owner",
        "group",
        "apps",
        "fra-office",
        "tom.bennett",
    ),
    "sam.whitaker": (
        "Sam",
        "Whitaker",
        "Corporate Systems Owner",
        "group",
        "apps",
        "halvard-house",
        "tom.bennett",
    ),
    "zoe.adams": ("Zoe", "Adams", "Data Platform Owner", "group", "apps", "halvard-house", "tom.bennett"),
    "ruben.bakker": (
        "Ruben",
        "Bakker",
        "Benefits Administrator",
        "brightwater",
        "bw-benefits",
        "zuidas",
        "anouk.devries",
    ),
    "eva.smit": ("Eva", "Smit", "HR Advisor", "brightwater", "bw-benefits", "zuidas", "anouk.devries"),
    "paul.martin": (
        "Paul",
        "Martin",
        "Broker Relations Manager",
        "life",
        "underwriting",
        "halvard-house",
        "priya.shah",
    ),
    "clara.hoffmann": (
        "Clara",
        "Hoffmann",
        "Reinsurance Analyst",
        "group",
        "finance",
        "fra-office",
        "grace.okafor",
    ),
}

# key: (name, manager, parent, members)
GROUPS = {
    "it-support": ("IT Support", "raj.patel", None, []),
    "service-desk": ("Service Desk", "isabel.moreno", "it-support", ["isabel.moreno", "kevin.obrien"]),
    "major-incident": ("Major Incident Management", "raj.patel", "it-support", ["raj.patel", "yuki.tanaka"]),
    "linux": ("Linux Platform", "stefan.wolf", "it-support", ["stefan.wolf", "anna.novak"]),
    "windows": ("Windows Platform", "peter.jansen", "it-support", ["peter.jansen"]),
    "dba": ("Database Administration", "olga.ivanova", "it-support", ["olga.ivanova", "tariq.hassan"]),
    "network": ("Network Operations", "erik.johansson", "it-support", ["erik.johansson"]),
    "identity": ("Identity & Access", "amara.nwosu", "it-support", ["amara.nwosu"]),
    "claims-apps": ("Claims Applications", "lucy.green", "it-support", ["lucy.green", "chloe.evans"]),
    "policy-apps": ("Policy Applications", "max.keller", "it-support", ["max.keller"]),
    "digital-apps": ("Digital Channels", "julia.romano", "it-support", ["julia.romano", "felix.braun"]),
    "corporate-apps": ("Corporate Applications", "sam.whitaker", "it-support", ["sam.whitaker", "zoe.adams"]),
    "claims-champions": (
        "Claims Super Users",
        "david.morgan",
        None,
        ["emma.clark", "liam.turner", "lukas.meyer"],
    ),
}

# --- Portfolio and business services --------------------------------------------------------

# key: (name, node type, parent, owner, description)
PORTFOLIO = {
    "insurance": ("Insurance Services", "portfolio", None, "james.hughes", "What customers buy from us."),
    "claims": ("Claims", "category", "insurance", "david.morgan", "From first notice of loss to settlement."),
    "policy": (
        "Policy & Underwriting",
        "category",
        "insurance",
        "priya.shah",
        "Quote, bind and service policies.",
    ),
    "channels": ("Customer Channels", "category", "insurance", "sofia.berg", "How customers reach us."),
    "digital": ("Digital", "category", "channels", "sofia.berg", "Web and mobile self-service."),
    "contact": ("Contact Centre", "category", "channels", "oliver.grant", "Phone, chat and complaints."),
    "corporate": ("Corporate Services", "portfolio", None, "grace.okafor", "Services the group runs on."),
    "finance": ("Finance", "category", "corporate", "grace.okafor", ""),
    "people": ("People", "category", "corporate", "nina.larsen", ""),
    "workplace": ("Workplace", "category", "corporate", "marcus.reid", ""),
    "technology": (
        "Technology Services",
        "portfolio",
        None,
        "marcus.reid",
        "IT services offered to the business.",
    ),
    "security": ("Security & Identity", "category", "technology", "lena.fischer", ""),
}

# Business applications: key: (name, owner, support group, short host name, database, customer facing)
APPLICATIONS = {
    "claims-hub": ("Claims Hub", "lucy.green", "claims-apps", "clm", "pg", False),
    "policy-admin": ("Policy Administration System", "max.keller", "policy-apps", "pas", "oracle", False),
    "quote-engine": ("Quote Engine", "julia.romano", "digital-apps", "qte", "pg", True),
    "underwriting": ("Underwriting Workbench", "max.keller", "policy-apps", "uwb", "pg", False),
    "fraud": ("Fraud Analytics", "lucy.green", "claims-apps", "frd", "pg", False),
    "billing": ("Billing & Payments", "sam.whitaker", "corporate-apps", "bil", "oracle", False),
    "documents": ("Document Management", "lucy.green", "claims-apps", "dms", "pg", False),
    "portal": ("Customer Portal", "julia.romano", "digital-apps", "cpt", "pg", True),
    "mobile": ("Halvard Mobile", "julia.romano", "digital-apps", "mob", "pg", True),
    "crm": ("Contact Centre CRM", "julia.romano", "digital-apps", "crm", "pg", False),
    "erp": ("Finance ERP", "sam.whitaker", "corporate-apps", "erp", "mssql", False),
    "warehouse": ("Enterprise Data Warehouse", "zoe.adams", "corporate-apps", "edw", "pg", False),
    "payroll": ("Payroll", "sam.whitaker", "corporate-apps", "pay", "mssql", False),
    "hr-core": ("HR Core", "sam.whitaker", "corporate-apps", "hrc", "pg", False),
    "collaboration": ("Collaboration Suite", "peter.jansen", "windows", "col", None, False),
    "itsm": ("IT Service Management", "raj.patel", "service-desk", "itm", "pg", False),
    "reinsurance": ("Reinsurance Ledger", "sam.whitaker", "corporate-apps", "rei", "oracle", False),
    "broker-portal": ("Broker Portal", "julia.romano", "digital-apps", "brk", "pg", True),
    "identity": ("Identity & Access Management", "amara.nwosu", "identity", "idm", None, False),
}
WITH_DR = ("claims-hub", "policy-admin")  # also run a disaster-recovery application service

# Business services: key: (name, portfolio node, owner, criticality, applications, offering style)
BUSINESS_SERVICES = {
    "motor-claims": ("Motor Claims", "claims", "david.morgan", 1, ["claims-hub", "documents"], "tiers"),
    "home-claims": ("Home Claims", "claims", "david.morgan", 1, ["claims-hub", "documents"], "tiers"),
    "travel-claims": ("Travel Claims", "claims", "katrin.vogel", 2, ["claims-hub"], "partner"),
    "fraud-screening": ("Fraud Screening", "claims", "david.morgan", 2, ["fraud"], "standard"),
    "claims-payments": ("Claims Payments", "claims", "grace.okafor", 1, ["billing", "claims-hub"], "regions"),
    "motor-insurance": (
        "Motor Insurance",
        "policy",
        "priya.shah",
        1,
        ["policy-admin", "quote-engine"],
        "tiers",
    ),
    "home-insurance": (
        "Home Insurance",
        "policy",
        "priya.shah",
        1,
        ["policy-admin", "quote-engine"],
        "tiers",
    ),
    "life-insurance": (
        "Life Insurance",
        "policy",
        "james.hughes",
        1,
        ["policy-admin", "underwriting"],
        "regions",
    ),
    "pet-insurance": ("Pet Insurance", "policy", "sofia.berg", 3, ["policy-admin"], None),
    "commercial-uw": ("Commercial Underwriting", "policy", "priya.shah", 2, ["underwriting"], "standard"),
    "reinsurance": ("Reinsurance", "policy", "grace.okafor", 2, ["reinsurance"], "standard"),
    "broker-services": ("Broker Services", "policy", "paul.martin", 2, ["broker-portal"], "tiers"),
    "benefits": (
        "Group Benefits Administration",
        "policy",
        "james.hughes",
        2,
        ["policy-admin", "portal"],
        "customer",
    ),
    "quote-and-buy": (
        "Online Quote & Buy",
        "digital",
        "sofia.berg",
        1,
        ["quote-engine", "portal"],
        "regions",
    ),
    "self-service": ("Customer Self-Service", "digital", "sofia.berg", 2, ["portal"], "regions"),
    "mobile-app": ("Mobile Insurance App", "digital", "sofia.berg", 2, ["mobile", "portal"], "standard"),
    "contact-centre": ("Customer Contact Centre", "contact", "oliver.grant", 1, ["crm"], "tiers"),
    "complaints": ("Complaints Handling", "contact", "oliver.grant", 2, ["crm", "documents"], "standard"),
    "accounting": ("Financial Accounting", "finance", "grace.okafor", 2, ["erp"], "standard"),
    "premium-billing": ("Premium Billing", "finance", "grace.okafor", 1, ["billing"], "regions"),
    "mgmt-reporting": ("Management Reporting", "finance", "daniel.okoro", 3, ["warehouse"], "standard"),
    "regulatory": ("Regulatory Reporting", "finance", "daniel.okoro", 1, ["warehouse", "erp"], "standard"),
    "analytics": ("Data Analytics", "finance", "zoe.adams", 3, ["warehouse"], "standard"),
    "payroll": ("Payroll", "people", "sarah.lewis", 1, ["payroll"], "standard"),
    "hr-services": ("HR Services", "people", "nina.larsen", 3, ["hr-core"], "standard"),
    "recruitment": ("Recruitment", "people", "ben.foster", 4, ["hr-core"], "standard"),
    "email": ("Email & Collaboration", "workplace", "marcus.reid", 2, ["collaboration"], "standard"),
    "it-service-desk": ("Employee IT Service Desk", "workplace", "raj.patel", 2, ["itsm"], "standard"),
    "archive": ("Document Archive", "workplace", "marcus.reid", 4, ["documents"], "standard"),
    "employee-access": (
        "Employee Identity & Access",
        "security",
        "lena.fischer",
        1,
        ["identity"],
        "standard",
    ),
}
CRITICALITY = {
    1: "1 - most critical",
    2: "2 - somewhat critical",
    3: "3 - less critical",
    4: "4 - not critical",
}

# Halvard prices in pounds sterling (its catalog questions speak of pounds too); issue 17.
CURRENCY = "GBP"

# What each kind of offering includes and leaves out (ServiceNow's service_in_scope and
# service_out_scope), by offering suffix; technical offerings share the "platform" scope.
SCOPES = {
    "Gold": (
        [
            "{service} for every policy you handle",
            "Support around the clock, answered within 4 hours",
            "A quarterly service review with the service owner",
        ],
        ["Changes to insurance products or their pricing", "Training for new staff"],
    ),
    "Silver": (
        ["{service} for every policy you handle", "Support on business days, answered within a day"],
        ["Support outside Monday to Friday", "Service reviews"],
    ),
    "UK": (
        ["{service} for UK policies, in English", "Support around the clock, answered within 4 hours"],
        ["Policies written outside the UK"],
    ),
    "Germany": (
        ["{service} for German policies, in German and English", "Support around the clock"],
        ["Policies written outside Germany", "BaFin reporting"],
    ),
    "Standard": (
        ["{service} for everyone in the subscribing company or department", "Support on business days"],
        ["Dedicated capacity", "Custom reports and integrations"],
    ),
    "Partner": (
        ["{service} for claims referred by approved partners"],
        ["Claims from partners without a signed agreement"],
    ),
    "Brightwater": (
        ["{service} for every Brightwater employee", "A named account manager"],
        ["Employees of Brightwater's franchisees"],
    ),
    "platform": (
        [
            "Provisioning within the promised delivery time",
            "Patching in the Sunday maintenance window",
            "Monitoring, backups and restores",
        ],
        ["Support of the applications you run on it", "Moving your data from another platform"],
    ),
}


def scope_lines(scope_key, service_name):
    """(service_in_scope, service_out_scope) as ServiceNow text: one item per line."""
    in_scope, out_of_scope = SCOPES[scope_key]
    return "\n".join(line.format(service=service_name) for line in in_scope), "\n".join(out_of_scope)


# Offerings by style: (suffix, price, price unit, commitment level, subscribers)
# A subscriber is (kind, key): company, department, location, group or user.
OFFERING_STYLES = {
    "tiers": [
        ("Gold", "18.00", "per policy per month", "gold", [("company", "life"), ("user", "emma.clark")]),
        (
            "Silver",
            "9.50",
            "per policy per month",
            "silver",
            [("company", "direct"), ("group", "claims-champions")],
        ),
    ],
    "regions": [
        ("UK", "12.00", "per policy per month", "gold", [("location", "london"), ("company", "life")]),
        (
            "Germany",
            "11.00",
            "per policy per month",
            "gold",
            [("location", "frankfurt"), ("company", "direct")],
        ),
    ],
    "standard": [
        ("Standard", "", "", "silver", [("company", "group"), ("department", "it")]),
    ],
    "partner": [
        (
            "Standard",
            "7.00",
            "per claim",
            "silver",
            [("department", "direct-claims"), ("user", "emma.clark")],
        ),
        ("Partner", "5.00", "per claim", "silver", []),
    ],
    "customer": [
        (
            "Brightwater",
            "4.20",
            "per employee per month",
            "gold",
            [("company", "brightwater"), ("user", "ruben.bakker")],
        ),
        ("Standard", "5.00", "per employee per month", "silver", [("department", "customer-service")]),
    ],
}

# key: (name, type, target value, unit, schedule, period)
COMMITMENTS = {
    "avail-999": ("Availability 99.9 %", "availability", "99.9", "%", "24x7", "monthly"),
    "avail-995": ("Availability 99.5 %", "availability", "99.5", "%", "Mon-Fri 07:00-20:00", "monthly"),
    "resp-4h": ("Response time 4 hours", "response_time", "4", "hours", "24x7", ""),
    "resp-1bd": (
        "Response time 1 business day",
        "response_time",
        "1",
        "business days",
        "Mon-Fri 08:00-18:00",
        "",
    ),
    "rto-4h": ("Recovery time objective 4 hours", "rto", "4", "hours", "24x7", ""),
    "rpo-15m": ("Recovery point objective 15 minutes", "rpo", "15", "minutes", "24x7", ""),
    "rto-24h": ("Recovery time objective 24 hours", "rto", "24", "hours", "24x7", ""),
    "rpo-4h": ("Recovery point objective 4 hours", "rpo", "4", "hours", "24x7", ""),
    "maint-sun": (
        "Maintenance window Sunday 02:00-06:00",
        "maintenance_window",
        "4",
        "hours",
        "Sun 02:00-06:00",
        "weekly",
    ),
}
COMMITMENT_LEVELS = {
    "gold": ["avail-999", "resp-4h", "rto-4h", "rpo-15m", "maint-sun"],
    "silver": ["avail-995", "resp-1bd", "rto-24h", "rpo-4h", "maint-sun"],
}

# Technical services and their offerings:
# key: (name, owner, [(offering key, name, support group, price, commitments, contains, subscribers)])
TECHNICAL_SERVICES = {
    "database-platform": (
        "Database Platform",
        "olga.ivanova",
        [
            (
                "pg-prod",
                "Managed PostgreSQL – Production",
                "dba",
                "450.00",
                "gold",
                ["db:pg"],
                [("group", "claims-apps"), ("group", "digital-apps")],
            ),
            (
                "oracle-prod",
                "Managed Oracle – Production",
                "dba",
                "1200.00",
                "gold",
                ["db:oracle"],
                [("group", "policy-apps")],
            ),
            (
                "mssql-prod",
                "Managed SQL Server – Production",
                "dba",
                "800.00",
                "gold",
                ["db:mssql"],
                [("group", "corporate-apps")],
            ),
            (
                "db-nonprod",
                "Managed Database – Non-production",
                None,
                "120.00",
                "silver",
                [],
                [("department", "apps")],
            ),
        ],
    ),
    "linux-hosting": (
        "Linux Hosting",
        "stefan.wolf",
        [
            (
                "linux-std",
                "Linux Hosting – Standard",
                "linux",
                "95.00",
                "silver",
                ["server:lnx-pgdb-01", "server:lnx-pgdb-02"],
                [("department", "apps")],
            ),
        ],
    ),
    "windows-hosting": (
        "Windows Hosting",
        "peter.jansen",
        [
            (
                "windows-std",
                "Windows Hosting – Standard",
                "windows",
                "110.00",
                "silver",
                ["server:win-dc-01", "server:win-dc-02", "server:sql-fin-01"],
                [("department", "apps")],
            ),
        ],
    ),
    "network": (
        "Network Services",
        "erik.johansson",
        [
            (
                "load-balancing",
                "Load Balancing",
                "network",
                "60.00",
                "gold",
                ["ci:lb-core-01"],
                [("department", "it")],
            ),
        ],
    ),
    "identity": (
        "Identity & Access",
        "amara.nwosu",
        [
            (
                "sso",
                "Single Sign-On",
                "identity",
                "2.50",
                "gold",
                ["appsvc:identity"],
                [("company", "group"), ("group", "it-support")],
            ),
        ],
    ),
}

# The deliberate data-health gaps (see demo/README.md).
GAP_UNMODELLED_CI = "appsvc-test:broker-portal"  # Broker Portal TEST has no product model
GAP_ISOLATED_CI = "win-fax-01"
GAP_NO_COMMITMENTS = ("analytics", "Standard")


class Demo:
    def __init__(self):
        self.t = Tables()

    def ref(self, table, key):
        return sid(table, key) if key else ""

    def relate(self, parent, kind, child):
        return self.t.add(
            "cmdb_rel_ci", f"{parent}>{kind}>{child}", parent=parent, type=REL_TYPES[kind], child=child
        )

    def build(self):
        self.organisation()
        self.models()
        self.portfolio()
        self.infrastructure()
        self.applications()
        self.commitments()
        self.business_services()
        self.technical_services()
        self.history()
        self.catalog()
        self.customers()
        return self.t

    def customers(self):
        """Accounts, contacts, consumers, what they bought and run, their cases (demo/customers.py)."""
        CustomerBase(self.t, self.operations).build()

    def catalog(self):
        """The request catalog that orders the offerings (demo/catalog.py)."""
        RequestCatalog(self.t).build()

    def history(self):
        """A year of outages, incidents, changes and improvement initiatives (demo/history.py)."""
        self.operations = OperationsHistory(
            self.t,
            applications=APPLICATIONS,
            business_services=BUSINESS_SERVICES,
            groups=GROUPS,
            propagating_types=PROPAGATING_TYPES,
        )
        self.operations.build()

    def organisation(self):
        t = self.t
        for key, (name, parent, country, city, customer, vendor, manufacturer, website) in COMPANIES.items():
            if key in ACCOUNTS:  # a customer account: demo/customers.py writes it as one
                continue
            t.add(
                "core_company",
                key,
                name=name,
                parent=self.ref("core_company", parent),
                country=country,
                city=city,
                customer=customer,
                vendor=vendor,
                manufacturer=manufacturer,
                website=website,
            )
        for key, (name, parent, city, country, zone) in LOCATIONS.items():
            company = "group" if key not in ("amsterdam", "zuidas") else ""
            t.add(
                "cmn_location",
                key,
                name=name,
                parent=self.ref("cmn_location", parent),
                city=city,
                country=country,
                time_zone=zone,
                company=self.ref("core_company", company),
            )
        for key, (name, code, company, parent, head) in DEPARTMENTS.items():
            t.add(
                "cmn_department",
                key,
                name=name,
                id=code,
                company=self.ref("core_company", company),
                parent=self.ref("cmn_department", parent),
                dept_head=self.ref("sys_user", head),
            )
        for username, (first, last, title, company, department, location, manager) in USERS.items():
            domain = "brightwater.example" if company == "brightwater" else "halvard.example"
            # A contact of a customer account keeps its sys_id but lives in customer_contact.
            account = FOUNDATION_CONTACTS.get(username)
            t.add_with_sys_id(
                "customer_contact" if account else "sys_user",
                t.sys_id("sys_user", username),
                **(
                    {"sys_class_name": "customer_contact", "account": t.sys_id("core_company", account)}
                    if account
                    else {}
                ),
                user_name=username,
                first_name=first,
                last_name=last,
                title=title,
                email=f"{username}@{domain}",
                company=self.ref("core_company", company),
                department=self.ref("cmn_department", department),
                location=self.ref("cmn_location", location),
                manager=self.ref("sys_user", manager),
                active=True,
            )
        for key, (name, manager, parent, members) in GROUPS.items():
            t.add(
                "sys_user_group",
                key,
                name=name,
                manager=self.ref("sys_user", manager),
                parent=self.ref("sys_user_group", parent),
                email=f"{key}@halvard.example",
            )
            for member in members:
                t.add(
                    "sys_user_grmember",
                    f"{key}:{member}",
                    user=self.ref("sys_user", member),
                    group=self.ref("sys_user_group", key),
                )

    def models(self):
        t = self.t
        t.add(
            "cmdb_model",
            "r650",
            sys_class_name="cmdb_hardware_product_model",
            name="PowerEdge R650",
            manufacturer=self.ref("core_company", "dell"),
            model_number="R650",
        )
        t.add(
            "cmdb_model",
            "bigip",
            sys_class_name="cmdb_hardware_product_model",
            name="BIG-IP i5800",
            manufacturer=self.ref("core_company", "f5"),
            model_number="i5800",
        )
        t.add("cmdb_software_product_model", "postgresql", name="PostgreSQL 15", version="15")
        t.add(
            "cmdb_software_product_model",
            "oracle",
            name="Oracle Database 19c",
            version="19c",
            manufacturer=self.ref("core_company", "oracle"),
        )
        for key, name in (
            ("business", "Business Service"),
            ("business-offering", "Business Service Offering"),
            ("technical", "Technical Service"),
            ("technical-offering", "Technical Service Offering"),
        ):
            t.add(
                "cmdb_service_product_model",
                key,
                name=name,
                short_description=f"Model of every {name.lower()}",
            )
        for key, (name, *_rest) in APPLICATIONS.items():
            t.add(
                "cmdb_application_product_model",
                key,
                name=name,
                short_description=f"{name} application model",
            )
        # The relationship types keep Runstage's standard sys_ids (ServiceNow's where known).
        for kind in ("Depends on", "Runs on", "Uses", "Contains"):
            name = next(name for name, _, _ in STANDARD_RELATIONSHIP_TYPES if name.startswith(kind + "::"))
            t.add_with_sys_id(
                "cmdb_rel_type",
                REL_TYPES[kind],
                name=name,
                parent_descriptor=kind,
                child_descriptor=name.partition("::")[2],
            )

    def portfolio(self):
        for key, (name, node_type, parent, owner, description) in PORTFOLIO.items():
            self.t.add(
                "service_portfolio",
                key,
                name=name,
                node_type=node_type,
                description=description,
                parent=self.ref("service_portfolio", parent),
                owner=self.ref("sys_user", owner),
            )

    def ci_fields(
        self,
        name,
        *,
        owner=None,
        group=None,
        location=None,
        criticality="",
        environment="Production",
        model=None,
        logical=False,
        company="group",
    ):
        return {
            "name": name,
            "operational_status": 1,
            "install_status": 1,
            "business_criticality": criticality,
            "environment": environment,
            "owned_by": self.ref("sys_user", owner),
            "support_group": self.ref("sys_user_group", group),
            "location": self.ref("cmn_location", location),
            "company": self.ref("core_company", company),
            "model_id": model or "",
            "logical": logical,
        }

    def server(self, name, *, os, group, location="ldn-dc", base_class=None):
        fields = self.ci_fields(name, group=group, location=location, model=self.ref("cmdb_model", "r650"))
        if base_class:  # a class Runstage has no subclass for: loads as a cmdb_ci row
            return self.t.add("cmdb_ci", f"server:{name}", sys_class_name=base_class, **fields)
        number = sum(1 for _ in self.t.rows.get("cmdb_ci_server", ())) + 1
        return self.t.add(
            "cmdb_ci_server",
            f"server:{name}",
            **fields,
            os=os,
            os_version="9" if os == "Linux" else "2022",
            ip_address=f"10.20.{number // 250}.{number % 250 + 1}",
            fqdn=f"{name}.halvard.example",
            cpu_count=8,
            ram=32768,
            virtual=True,
            serial_number=f"HV{number:05d}",
        )

    def infrastructure(self):
        t = self.t
        for name in ("lnx-pgdb-01", "lnx-pgdb-02"):
            self.server(name, os="Linux", group="dba", location="fra-dc", base_class="cmdb_ci_linux_server")
        for name in ("win-dc-01", "win-dc-02"):
            self.server(name, os="Windows", group="windows", base_class="cmdb_ci_win_server")
        self.server("ora-db-01", os="Linux", group="dba", location="fra-dc")
        self.server("sql-fin-01", os="Windows", group="dba")
        self.server(GAP_ISOLATED_CI, os="Windows", group="windows", base_class="cmdb_ci_win_server")
        databases = {
            "pg": (
                "pg-shared-prd",
                "PostgreSQL",
                "15.6",
                "5432",
                "postgresql",
                ["lnx-pgdb-01", "lnx-pgdb-02"],
            ),
            "oracle": ("ora-policy-prd", "Oracle", "19.21", "1521", "oracle", ["ora-db-01"]),
            "mssql": ("mssql-fin-prd", "SQL Server", "2022", "1433", None, ["sql-fin-01"]),
        }
        for key, (name, kind, version, port, model, hosts) in databases.items():
            db = t.add(
                "cmdb_ci_db_instance",
                f"db:{key}",
                **self.ci_fields(
                    name,
                    group="dba",
                    location="fra-dc",
                    criticality=CRITICALITY[1],
                    model=self.ref("cmdb_software_product_model", model),
                ),
                type=kind,
                version=version,
                tcp_port=port,
            )
            for host in hosts:
                self.relate(db, "Runs on", sid(self.server_table(host), f"server:{host}"))
        self.load_balancer = t.add(
            "cmdb_ci",
            "ci:lb-core-01",
            sys_class_name="cmdb_ci_lb_bigip",
            **self.ci_fields(
                "lb-core-01", group="network", location="ldn-dc", model=self.ref("cmdb_model", "bigip")
            ),
        )

    def server_table(self, name):
        return "cmdb_ci" if any(row["name"] == name for row in self.t.rows["cmdb_ci"]) else "cmdb_ci_server"

    def application_service(self, key, environment, suffix, *, model=True):
        name, owner, group, *_ = APPLICATIONS[key]
        record_key = f"appsvc:{key}" if environment == "Production" else f"appsvc-{suffix.lower()}:{key}"
        model_id = self.ref("cmdb_application_product_model", key) if model else ""
        return self.t.add(
            "cmdb_ci_service_auto",
            record_key,
            **self.ci_fields(
                f"{name} {suffix}",
                owner=owner,
                group=group,
                environment=environment,
                logical=True,
                model=model_id,
                location="ldn-dc",
            ),
            service_classification="Application Service",
            version="",
        )

    def applications(self):
        t = self.t
        identity_service = None
        for key, (name, owner, group, host, database, customer_facing) in APPLICATIONS.items():
            business_app = t.add(
                "cmdb_ci_business_app",
                f"ba:{key}",
                **self.ci_fields(
                    name,
                    owner=owner,
                    group=group,
                    logical=True,
                    model=self.ref("cmdb_application_product_model", key),
                ),
                number=f"APM{1000 + len(t.rows.get('cmdb_ci_business_app', ())):07d}",
                application_type="Web",
                architecture_type="Three-tier",
                install_type="On premise",
                life_cycle_stage="operational",
                user_base="Employees" if not customer_facing else "Customers",
            )
            production = self.application_service(key, "Production", "PROD")
            self.relate(business_app, "Uses", production)
            environments = [production]
            if key in WITH_DR:
                disaster = self.application_service(key, "Disaster recovery", "DR")
                self.relate(business_app, "Uses", disaster)
                environments.append(disaster)
            if key == "broker-portal":
                test = self.application_service(key, "Test", "TEST", model=False)  # deliberate gap
                self.relate(business_app, "Uses", test)
                environments.append(test)
            for index, service in enumerate(environments, start=1):
                location = "fra-dc" if index > 1 else "ldn-dc"
                server_name = f"{host}-app-{index:02d}"
                server = self.server(
                    server_name, os="Linux" if index % 2 else "Windows", group=group, location=location
                )
                application = t.add(
                    "cmdb_ci_appl",
                    f"appl:{key}:{index}",
                    **self.ci_fields(f"{host}-tomcat-{index:02d}", group=group, location=location),
                    version="4.2",
                    tcp_port="8443",
                )
                self.relate(application, "Runs on", server)
                self.relate(service, "Depends on", application)
                if database and index == 1:
                    self.relate(service, "Depends on", sid("cmdb_ci_db_instance", f"db:{database}"))
                if customer_facing and index == 1:
                    self.relate(service, "Depends on", self.load_balancer)
                if key == "identity":
                    identity_service = service
                    for dc in ("win-dc-01", "win-dc-02"):
                        self.relate(application, "Runs on", sid("cmdb_ci", f"server:{dc}"))
        for key in APPLICATIONS:
            if key != "identity":
                self.relate(sid("cmdb_ci_service_auto", f"appsvc:{key}"), "Depends on", identity_service)

    def commitments(self):
        for key, (name, kind, value, unit, schedule, period) in COMMITMENTS.items():
            self.t.add(
                "service_commitment",
                key,
                name=name,
                type=kind,
                target_value=value,
                target_unit=unit,
                schedule=schedule,
                period=period,
                description=f"{name}, measured {period or 'per request'}.",
            )

    def offering(
        self,
        key,
        name,
        parent,
        *,
        classification,
        owner,
        group,
        price,
        unit,
        level,
        subscribers,
        criticality,
        model,
        scope,
    ):
        t = self.t
        in_scope, out_of_scope = scope
        offering = t.add(
            "service_offering",
            key,
            **self.ci_fields(
                name, owner=owner, group=group, criticality=criticality, logical=True, model=model
            ),
            service_classification=classification,
            portfolio_status="catalog",
            parent=parent,
            classification=classification,
            phase="catalog",
            consumer_type="internal",  # demo/customers.py marks the offerings it sells
            price=price,
            price_currency=CURRENCY,
            price_unit=unit,
            service_in_scope=in_scope,
            service_out_scope=out_of_scope,
        )
        if level:
            for commitment in COMMITMENT_LEVELS[level]:
                t.add(
                    "service_offering_commitment",
                    f"{key}:{commitment}",
                    service_offering=offering,
                    service_commitment=sid("service_commitment", commitment),
                )
        tables = {
            "company": ("service_subscribe_company", "core_company"),
            "department": ("service_subscribe_department", "cmn_department"),
            "location": ("service_subscribe_location", "cmn_location"),
            "group": ("service_subscribe_sys_user_grp", "sys_user_group"),
            "user": ("service_subscribe_sys_user", "sys_user"),
        }
        for kind, subscriber in subscribers:
            table, field = tables[kind]
            t.add(table, f"{key}:{subscriber}", service_offering=offering, **{field: sid(field, subscriber)})
        return offering

    def business_services(self):
        t = self.t
        for key, (name, node, owner, level, applications, style) in BUSINESS_SERVICES.items():
            criticality = CRITICALITY[level]
            service = t.add(
                "cmdb_ci_service_business",
                f"bs:{key}",
                **self.ci_fields(
                    name,
                    owner=owner,
                    criticality=criticality,
                    logical=True,
                    model=self.ref("cmdb_service_product_model", "business"),
                ),
                service_classification="Business Service",
                portfolio=self.ref("service_portfolio", node),
                portfolio_status="catalog" if style else "pipeline",
            )
            if style is None:  # deliberate gap: a pipeline service with no offering yet
                self.relate(service, "Depends on", sid("cmdb_ci_service_auto", f"appsvc:{applications[0]}"))
                continue
            support = APPLICATIONS[applications[0]][2]
            for suffix, price, unit, commitment_level, subscribers in OFFERING_STYLES[style]:
                if (key, suffix) == GAP_NO_COMMITMENTS:
                    commitment_level = None
                offering = self.offering(
                    f"bso:{key}:{suffix}",
                    f"{name} – {suffix}",
                    service,
                    classification="Business Service",
                    owner=owner,
                    group=support,
                    price=price,
                    unit=unit,
                    level=commitment_level,
                    subscribers=subscribers,
                    criticality=criticality,
                    model=self.ref("cmdb_service_product_model", "business-offering"),
                    scope=scope_lines(suffix, name),
                )
                for application in applications:
                    self.relate(offering, "Depends on", sid("cmdb_ci_service_auto", f"appsvc:{application}"))

    def technical_services(self):
        t = self.t
        containers = {
            "db": lambda key: sid("cmdb_ci_db_instance", f"db:{key}"),
            "server": lambda name: sid(self.server_table(name), f"server:{name}"),
            "ci": lambda key: sid("cmdb_ci", f"ci:{key}"),
            "appsvc": lambda key: sid("cmdb_ci_service_auto", f"appsvc:{key}"),
        }
        for key, (name, owner, offerings) in TECHNICAL_SERVICES.items():
            service = t.add(
                "cmdb_ci_service_technical",
                f"ts:{key}",
                **self.ci_fields(
                    name,
                    owner=owner,
                    criticality=CRITICALITY[1],
                    logical=True,
                    model=self.ref("cmdb_service_product_model", "technical"),
                ),
                service_classification="Technical Service",
            )
            for offering_key, offering_name, group, price, level, contains, subscribers in offerings:
                offering = self.offering(
                    f"tso:{offering_key}",
                    offering_name,
                    service,
                    classification="Technical Service",
                    owner=owner,
                    group=group,
                    price=price,
                    unit="per instance per month",
                    level=level,
                    subscribers=subscribers,
                    criticality=CRITICALITY[1],
                    model=self.ref("cmdb_service_product_model", "technical-offering"),
                    scope=scope_lines("platform", name),
                )
                for target in contains:
                    kind, _, target_key = target.partition(":")
                    self.relate(offering, "Contains", containers[kind](target_key))


if __name__ == "__main__":
    tables = Demo().build()
    tables.write(DEMO)
    total = sum(len(rows) for rows in tables.rows.values())
    print(f"Wrote {total} rows in {len(tables.rows)} files to {DEMO}")
