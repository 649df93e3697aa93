"""The demo company's customers: who buys Halvard's services, what they bought and run, and cases.

Used by demo/generate.py once the offerings and the operations history exist. Halvard sells group
benefits administration and broker services to businesses (accounts, each with contacts) and
online insurance to people (consumers). Brightwater Retail, a company in the foundation data, is
one of the accounts: it keeps its sys_id, now as a `customer_account` row (ServiceNow's account
extends core_company), and two of its people become `customer_contact` rows the same way.

The history's last incident is still open (a degraded Customer Portal): every customer it reaches
through an active sold product or an install base item gets a proactive case, linked to the
incident and its outage, as `POST /api/v1/incidents/<number>/proactive_cases/` would open them.
"""

from collections import deque
from datetime import date

# key: (name, country, city, customer, partner, website, primary contact)
ACCOUNTS = {
    "brightwater": (
        "Brightwater Retail",
        "Netherlands",
        "Amsterdam",
        True,
        False,
        "https://brightwater.example",
        "anouk.devries",
    ),
    "nordlicht": (
        "Nordlicht Logistics",
        "Germany",
        "Hamburg",
        True,
        False,
        "https://nordlicht.example",
        "henrik.brandt",
    ),
    "meridian": (
        "Meridian Brokers",
        "United Kingdom",
        "Manchester",
        True,
        True,
        "https://meridian.example",
        "olivia.hart",
    ),
}
ACCOUNT_NUMBERS = {key: f"ACC{number:07d}" for number, key in enumerate(ACCOUNTS, start=1)}
# Foundation users who are contacts of an account (their rows move from sys_user to customer_contact).
FOUNDATION_CONTACTS = {"anouk.devries": "brightwater", "eva.smit": "brightwater"}
# New contacts: username: (first, last, title, account)
CONTACTS = {
    "henrik.brandt": ("Henrik", "Brandt", "Head of People", "nordlicht"),
    "olivia.hart": ("Olivia", "Hart", "Operations Director", "meridian"),
}
# key: (first, last, email domain)
CONSUMERS = {
    "lucas.fontaine": ("Lucas", "Fontaine", "mail.example"),
    "mia.schneider": ("Mia", "Schneider", "post.example"),
    "tom.reilly": ("Tom", "Reilly", "mail.example"),
}
CONSUMER_NUMBERS = {key: f"CSM{number:07d}" for number, key in enumerate(CONSUMERS, start=1)}
# key: (name, (kind, customer), offering key, start, end); an end in the past is an expired product.
SOLD_PRODUCTS = {
    "bw-benefits": (
        "Brightwater employee benefits",
        ("account", "brightwater"),
        "bso:benefits:Brightwater",
        date(2024, 1, 1),
        None,
    ),
    "nl-benefits": (
        "Nordlicht benefits administration",
        ("account", "nordlicht"),
        "bso:benefits:Standard",
        date(2025, 4, 1),
        None,
    ),
    "nl-motor-fleet": (
        "Nordlicht fleet motor cover (ended)",
        ("account", "nordlicht"),
        "bso:motor-insurance:Silver",
        date(2023, 1, 1),
        date(2025, 12, 31),
    ),
    "mb-broker": (
        "Meridian broker workspace",
        ("account", "meridian"),
        "bso:broker-services:Gold",
        date(2025, 1, 1),
        None,
    ),
    "lf-home": (
        "Home insurance online",
        ("consumer", "lucas.fontaine"),
        "bso:quote-and-buy:UK",
        date(2025, 9, 1),
        None,
    ),
    "ms-app": (
        "Insurance app",
        ("consumer", "mia.schneider"),
        "bso:mobile-app:Standard",
        date(2026, 2, 1),
        None,
    ),
    "tr-self": (
        "My policies online",
        ("consumer", "tom.reilly"),
        "bso:self-service:UK",
        date(2024, 6, 1),
        None,
    ),
}
# key: (name, (kind, customer), application service key (PROD), sold products used on it)
INSTALL_BASE = {
    "bw-portal": ("Brightwater benefits portal", ("account", "brightwater"), "portal", ["bw-benefits"]),
    "nl-pas": ("Nordlicht policy tenant", ("account", "nordlicht"), "policy-admin", ["nl-benefits"]),
    "mb-workspace": ("Meridian broker tenant", ("account", "meridian"), "broker-portal", ["mb-broker"]),
    "lf-account": ("Lucas Fontaine's online account", ("consumer", "lucas.fontaine"), "portal", ["lf-home"]),
}
# Offerings sold outside the group that only customers use; the other sold offerings serve staff too.
EXTERNAL_OFFERINGS = {"bso:benefits:Brightwater": "external", "bso:broker-services:Gold": "external"}
BOTH_OFFERINGS_OF_SOLD = "both"
# Cases the customers opened themselves: key: (install base item, account, contact, subject, sold
# product, state)
OWN_CASES = {
    "mb-commission": (
        "mb-workspace",
        "meridian",
        "olivia.hart",
        "Commission statement for October is missing two policies",
        "mb-broker",
        10,  # Open
    ),
    "bw-enrolment": (
        "bw-portal",
        "brightwater",
        "eva.smit",
        "New joiners cannot see the pension enrolment form",
        "bw-benefits",
        6,  # Resolved
    ),
}
IN_PROGRESS = "2"


class CustomerBase:
    """Adds the customers' rows to `tables` (demo/generate.py's Tables)."""

    def __init__(self, tables, history):
        self.t = tables
        self.history = history  # demo.history.OperationsHistory: its upward graph finds the impacted

    def build(self):
        self.accounts()
        self.consumers()
        self.products()
        self.install_base()
        self.consumer_types()
        self.own_cases()
        self.proactive_cases()

    def customer(self, kind, key):
        if kind == "account":
            return {"account": self.t.sys_id("core_company", key), "consumer": ""}
        return {"account": "", "consumer": self.t.sys_id("csm_consumer", key)}

    def accounts(self):
        t = self.t
        for key, (name, country, city, customer, partner, website, contact) in ACCOUNTS.items():
            # An account's sys_id is its company's: Brightwater keeps the one it has in core_company.
            t.add_with_sys_id(
                "customer_account",
                t.sys_id("core_company", key),
                sys_class_name="customer_account",
                number=ACCOUNT_NUMBERS[key],
                name=name,
                parent="",
                country=country,
                city=city,
                customer=customer,
                partner=partner,
                vendor=False,
                manufacturer=False,
                website=website,
                primary_contact=t.sys_id("sys_user", contact),
            )
        taken = {row["user_name"] for row in t.rows["sys_user"]}
        for username, (first, last, title, account) in CONTACTS.items():
            assert username not in taken, f"{username} is a Halvard employee already"
            t.add_with_sys_id(
                "customer_contact",
                t.sys_id("sys_user", username),
                sys_class_name="customer_contact",
                user_name=username,
                first_name=first,
                last_name=last,
                title=title,
                email=f"{username}@{ACCOUNTS[account][5].removeprefix('https://')}",
                company=t.sys_id("core_company", account),
                account=t.sys_id("core_company", account),
                active=True,
            )

    def consumers(self):
        for key, (first, last, domain) in CONSUMERS.items():
            self.t.add(
                "csm_consumer",
                key,
                number=CONSUMER_NUMBERS[key],
                first_name=first,
                last_name=last,
                name=f"{first} {last}",
                email=f"{key}@{domain}",
                active=True,
            )

    def products(self):
        for key, (name, (kind, customer), offering, start, end) in SOLD_PRODUCTS.items():
            self.t.add(
                "sn_install_base_sold_product",
                key,
                name=name,
                **self.customer(kind, customer),
                service_offering=self.t.sys_id("service_offering", offering),
                state="active",
                start_date=start,
                end_date=end,
            )

    def install_base(self):
        for key, (name, (kind, customer), application, products) in INSTALL_BASE.items():
            item = self.t.add(
                "sn_install_base_item",
                key,
                name=name,
                **self.customer(kind, customer),
                configuration_item=self.t.sys_id("cmdb_ci_service_auto", f"appsvc:{application}"),
                state="in_use",
            )
            for product in products:
                self.t.add(
                    "sn_install_base_m2m_installed_product",
                    f"{key}:{product}",
                    install_base_item=item,
                    sold_product=self.t.sys_id("sn_install_base_sold_product", product),
                )

    def consumer_types(self):
        """Offerings sold to customers are external (or both, when staff use them too)."""
        sold = {
            self.t.sys_id("service_offering", offering) for _, _, offering, _, _ in SOLD_PRODUCTS.values()
        }
        explicit = {self.t.sys_id("service_offering", key): kind for key, kind in EXTERNAL_OFFERINGS.items()}
        for row in self.t.rows["service_offering"]:
            if row["sys_id"] in explicit:
                row["consumer_type"] = explicit[row["sys_id"]]
            elif row["sys_id"] in sold:
                row["consumer_type"] = BOTH_OFFERINGS_OF_SOLD

    def own_cases(self):
        for number, (key, case_fields) in enumerate(OWN_CASES.items(), start=1):
            item_key, account, contact, subject, product, state = case_fields
            case = self.t.add(
                "sn_customerservice_case",
                key,
                number=f"CS{number:07d}",
                short_description=subject,
                description="Reported through the customer portal.",
                **self.customer("account", account),
                contact=self.t.sys_id("sys_user", contact),
                state=state,
                proactive=False,
                sold_product=self.t.sys_id("sn_install_base_sold_product", product),
                install_base_item=self.t.sys_id("sn_install_base_item", item_key),
                service_offering=self.t.sys_id("service_offering", SOLD_PRODUCTS[product][2]),
                opened_at="2026-11-18 09:30:00",
                resolved_at="2026-11-19 16:00:00" if state == 6 else "",
                close_notes="The form is visible again after a permissions fix." if state == 6 else "",
            )
            self.t.add(
                "sn_install_base_m2m_affected_install_base",
                f"{key}:{item_key}",
                case=case,
                install_base_item=self.t.sys_id("sn_install_base_item", item_key),
            )

    # --- proactive cases for the open incident -----------------------------------------------------

    def reached_from(self, sources):
        parents = self.history.parents
        seen, queue = set(sources), deque(sources)
        while queue:
            for parent in parents.get(queue.popleft(), ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return seen

    def proactive_cases(self):
        t = self.t
        open_incidents = [row for row in t.rows["incident"] if row["state"] == IN_PROGRESS]
        incident = max(open_incidents, key=lambda row: (row["opened_at"], row["number"]))
        outage = next(
            row["sys_id"]
            for row in t.rows["cmdb_ci_outage"]
            if row["task"] == incident["sys_id"] and not row["end"]
        )
        sources = {incident["cmdb_ci"]} | {
            row["ci_item"] for row in t.rows["task_ci"] if row["task"] == incident["sys_id"]
        }
        reached = self.reached_from(sources)
        today = date(2026, 11, 27)  # the end of the demo history
        impacted = {}  # (kind, key) -> ([sold product keys], [install base keys]), in definition order
        for key, (_name, who, offering, start, end) in SOLD_PRODUCTS.items():
            active = start <= today and (end is None or end >= today)
            if active and t.sys_id("service_offering", offering) in reached:
                impacted.setdefault(who, ([], []))[0].append(key)
        for key, (_name, who, application, _products) in INSTALL_BASE.items():
            if t.sys_id("cmdb_ci_service_auto", f"appsvc:{application}") in reached:
                impacted.setdefault(who, ([], []))[1].append(key)
        first_number = len(OWN_CASES) + 1
        for number, ((kind, customer), (products, items)) in enumerate(
            sorted(impacted.items()), first_number
        ):
            key = f"proactive:{incident['number']}:{kind}:{customer}"
            lines = [f"We are aware of an issue that affects your service: {incident['short_description']}."]
            if products:
                names = ", ".join(SOLD_PRODUCTS[product][0] for product in products)
                lines.append(f"Affected products: {names}.")
            if items:
                lines.append(f"Affected installations: {', '.join(INSTALL_BASE[item][0] for item in items)}.")
            lines.append(f"Our reference: {incident['number']}. We will update this case as we work on it.")
            case = t.add(
                "sn_customerservice_case",
                key,
                number=f"CS{number:07d}",
                short_description=f"Service disruption: {incident['short_description']}",
                description="\n".join(lines),
                **self.customer(kind, customer),
                contact="",
                state=10,  # Open
                proactive=True,
                sold_product=t.sys_id("sn_install_base_sold_product", products[0]) if products else "",
                install_base_item=t.sys_id("sn_install_base_item", items[0]) if items else "",
                service_offering=t.sys_id("service_offering", SOLD_PRODUCTS[products[0]][2])
                if products
                else "",
                incident=incident["sys_id"],
                outage=outage,
                opened_at=incident["opened_at"],
                resolved_at="",
                close_notes="",
            )
            for item in items:
                t.add(
                    "sn_install_base_m2m_affected_install_base",
                    f"{key}:{item}",
                    case=case,
                    install_base_item=t.sys_id("sn_install_base_item", item),
                )
