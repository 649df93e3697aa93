"""The demo company's request catalog: catalogs, categories, items, their offerings and questions.

Used by demo/generate.py once the offerings and their subscribers exist. Two catalogs: "Service
catalog" (the business services staff work with) and "IT services" (workplace, access and
platforms). Three kinds of item:

- subscribers-only items linked to an offering ("Motor Claims – Gold seat"): whoever subscribes to
  the offering, through any route, may order them;
- open "Subscribe to …" items linked to an offering: anyone may order them, and delivering one
  subscribes the requester, which opens that offering's subscribers-only items to them;
- open workplace and access items linked to no offering (a laptop, production database access).

An item's price comes from its offering's price and unit ("18.00 per policy per month" is a
recurring monthly 18.00, "7.00 per claim" a one-off 7.00), so the two never disagree. Who sees
what is told in demo/README.md ("Catalog").
"""

from dataclasses import dataclass

SERVICE_CATALOG, IT_CATALOG = "service", "it"
# The demo company's prices are in pounds sterling, like its offerings'.
CURRENCY = "GBP"

# key: (title, description, order)
CATALOGS = {
    SERVICE_CATALOG: (
        "Service catalog",
        "The business services Halvard staff work with: seats, roles and subscriptions.",
        100,
    ),
    IT_CATALOG: ("IT services", "Laptops, software, access and platforms from Technology Services.", 200),
}

# key: (catalog, parent, title, description)
CATEGORIES = {
    "insurance-ops": (SERVICE_CATALOG, None, "Insurance operations", "Claims, policies and underwriting."),
    "claims": (SERVICE_CATALOG, "insurance-ops", "Claims", "From first notice of loss to settlement."),
    "policy": (SERVICE_CATALOG, "insurance-ops", "Policy & underwriting", ""),
    "channels": (SERVICE_CATALOG, None, "Customer channels", "How customers reach us."),
    "digital": (SERVICE_CATALOG, "channels", "Digital", "Web and mobile self-service."),
    "contact": (SERVICE_CATALOG, "channels", "Contact centre", "Phone, chat and complaints."),
    "workplace": (IT_CATALOG, None, "Workplace", "What you work with every day."),
    "hardware": (IT_CATALOG, "workplace", "Hardware", ""),
    "software": (IT_CATALOG, "workplace", "Software", ""),
    "access": (IT_CATALOG, None, "Access", "Access to applications and data; your manager approves it."),
    "app-access": (IT_CATALOG, "access", "Applications", ""),
    "data-access": (IT_CATALOG, "access", "Databases", ""),
    "platforms": (IT_CATALOG, None, "Platforms", "Hosting and databases for application teams."),
    "hosting": (IT_CATALOG, "platforms", "Hosting", ""),
    "databases": (IT_CATALOG, "platforms", "Databases", ""),
}


@dataclass(frozen=True)
class Question:
    """One variable of an item; `choices` are (value, text) pairs of a choice variable."""

    name: str
    text: str
    type: str = "single_line_text"
    mandatory: bool = False
    help_text: str = ""
    default: str = ""
    choices: tuple = ()


@dataclass(frozen=True)
class Item:
    """One catalog item. `offering` is a service_offering key of demo/generate.py, or None."""

    name: str
    category: str
    short_description: str
    offering: str | None = None
    open_to_everyone: bool = False
    approval: bool = False
    price: str | None = None  # only for items without an offering; others take the offering's
    description: str = ""
    questions: tuple = ()


START_DATE = Question("start_date", "Start date", "date", mandatory=True)
JUSTIFICATION = Question(
    "justification",
    "Business justification",
    "multi_line_text",
    mandatory=True,
    help_text="Your manager reads it.",
)

# key: Item. Keys are part of the sys_ids: rename an item freely, but keep its key.
ITEMS = {
    # --- Service catalog: claims ----------------------------------------------------------------
    "motor-claims-gold-seat": Item(
        "Motor Claims – Gold seat",
        "claims",
        "A Claims Hub seat on the Gold motor claims service.",
        offering="bso:motor-claims:Gold",
        questions=(
            START_DATE,
            Question(
                "team",
                "Claims team",
                "choice",
                mandatory=True,
                choices=(
                    ("fast-track", "Fast track"),
                    ("injury", "Complex injury"),
                    ("total-loss", "Total loss"),
                ),
            ),
            Question("notes", "Anything the team should know", "multi_line_text"),
        ),
    ),
    "home-claims-silver-seat": Item(
        "Home Claims – Silver seat",
        "claims",
        "A Claims Hub seat on the Silver home claims service.",
        offering="bso:home-claims:Silver",
        questions=(
            START_DATE,
            Question(
                "authority_limit",
                "Settlement authority (GBP)",
                "integer",
                mandatory=True,
                default="5000",
                help_text="The largest claim you may settle alone.",
            ),
        ),
    ),
    "travel-claims-referral": Item(
        "Travel Claims – claim referral",
        "claims",
        "Refer a travel claim to the partner claims team, charged per claim.",
        offering="bso:travel-claims:Standard",
        questions=(
            Question("claim_number", "Claim number", mandatory=True, help_text="e.g. TRV-2026-00123"),
            Question("urgent", "The traveller is still abroad", "checkbox"),
        ),
    ),
    "fraud-analyst-seat": Item(
        "Fraud Screening – analyst seat",
        "claims",
        "A seat in Fraud Analytics to screen and refer suspicious claims.",
        offering="bso:fraud-screening:Standard",
        description='For subscribers of Fraud Screening: order "Subscribe to Fraud Screening" first.',
        questions=(
            Question(
                "training_done",
                "I have completed the fraud awareness training",
                "checkbox",
                mandatory=True,
            ),
            Question(
                "queues",
                "Referral queue",
                "choice",
                mandatory=True,
                default="motor",
                choices=(("motor", "Motor"), ("home", "Home"), ("travel", "Travel")),
            ),
        ),
    ),
    "subscribe-fraud-screening": Item(
        "Subscribe to Fraud Screening",
        "claims",
        "Subscribe to Fraud Screening; your manager approves.",
        offering="bso:fraud-screening:Standard",
        open_to_everyone=True,
        approval=True,
        description="Once delivered you may order Fraud Screening's items, such as an analyst seat.",
        questions=(JUSTIFICATION,),
    ),
    "claims-payments-uk-approver": Item(
        "Claims Payments – UK payment approver",
        "claims",
        "Approve claim payments in the UK payment run; your manager approves.",
        offering="bso:claims-payments:UK",
        approval=True,
        questions=(
            Question(
                "approval_limit",
                "Approval limit",
                "choice",
                mandatory=True,
                choices=(
                    ("10k", "Up to GBP 10,000"),
                    ("50k", "Up to GBP 50,000"),
                    ("250k", "Up to GBP 250,000"),
                ),
            ),
            START_DATE,
        ),
    ),
    "claims-payments-de-approver": Item(
        "Claims Payments – Germany payment approver",
        "claims",
        "Approve claim payments in the German payment run; your manager approves.",
        offering="bso:claims-payments:Germany",
        approval=True,
        questions=(
            Question(
                "approval_limit",
                "Approval limit",
                "choice",
                mandatory=True,
                choices=(("10k", "Up to EUR 10,000"), ("50k", "Up to EUR 50,000")),
            ),
            START_DATE,
        ),
    ),
    # --- Service catalog: policy & underwriting -------------------------------------------------
    "motor-insurance-gold-seat": Item(
        "Motor Insurance – Gold servicing seat",
        "policy",
        "Service motor policies in the Policy Administration System.",
        offering="bso:motor-insurance:Gold",
        questions=(START_DATE,),
    ),
    "life-insurance-uk-enquiry": Item(
        "Life Insurance – UK policy enquiry access",
        "policy",
        "Read UK life policies to answer claim enquiries.",
        offering="bso:life-insurance:UK",
        questions=(Question("reason", "What you need it for", "multi_line_text", mandatory=True),),
    ),
    "subscribe-commercial-uw": Item(
        "Subscribe to Commercial Underwriting",
        "policy",
        "Subscribe to Commercial Underwriting and follow its referrals.",
        offering="bso:commercial-uw:Standard",
        open_to_everyone=True,
    ),
    # --- Service catalog: customer channels -----------------------------------------------------
    "quote-and-buy-de-campaign": Item(
        "Online Quote & Buy – Germany campaign slot",
        "digital",
        "Run a price campaign on the German quote and buy journey.",
        offering="bso:quote-and-buy:Germany",
        questions=(
            Question("campaign", "Campaign name", mandatory=True),
            START_DATE,
            Question("weeks", "Weeks", "integer", mandatory=True, default="4"),
        ),
    ),
    "subscribe-mobile-app": Item(
        "Subscribe to Mobile Insurance App",
        "digital",
        "Subscribe to the Mobile Insurance App and hear about its releases.",
        offering="bso:mobile-app:Standard",
        open_to_everyone=True,
    ),
    "mobile-test-device": Item(
        "Mobile Insurance App – test device enrolment",
        "digital",
        "Enrol a phone for the app's test releases.",
        offering="bso:mobile-app:Standard",
        questions=(
            Question(
                "platform",
                "Platform",
                "choice",
                mandatory=True,
                choices=(("ios", "iOS"), ("android", "Android")),
            ),
            Question("devices", "Number of devices", "integer", default="1"),
        ),
    ),
    "contact-centre-gold-seat": Item(
        "Customer Contact Centre – Gold agent seat",
        "contact",
        "A CRM agent seat on the Gold contact centre service.",
        offering="bso:contact-centre:Gold",
        questions=(
            Question(
                "shift",
                "Shift",
                "choice",
                mandatory=True,
                choices=(
                    ("early", "Early (07:00–15:00)"),
                    ("late", "Late (12:00–20:00)"),
                    ("weekend", "Weekend"),
                ),
            ),
            Question("languages", "Languages you take calls in", default="English"),
        ),
    ),
    "subscribe-complaints": Item(
        "Subscribe to Complaints Handling",
        "contact",
        "Subscribe to Complaints Handling to see complaints about your claims.",
        offering="bso:complaints:Standard",
        open_to_everyone=True,
    ),
    # --- IT services: workplace -----------------------------------------------------------------
    "laptop": Item(
        "Standard laptop",
        "hardware",
        "A 14-inch business laptop with Windows 11, replaced every four years.",
        open_to_everyone=True,
        price="1150.00",
        questions=(
            Question(
                "keyboard",
                "Keyboard layout",
                "choice",
                mandatory=True,
                default="uk",
                choices=(("uk", "United Kingdom"), ("de", "German"), ("nl", "Dutch (US international)")),
            ),
            Question("needed_by", "Needed by", "date", mandatory=True),
            Question("dock", "Docking station", "checkbox", default="true"),
            Question("monitors", "Extra monitors", "integer", default="0"),
            Question("delivery_address", "Deliver to (if not your desk)", "multi_line_text"),
        ),
    ),
    "monitor": Item(
        "Additional monitor",
        "hardware",
        "A second screen for your desk.",
        open_to_everyone=True,
        price="240.00",
        questions=(
            Question(
                "size",
                "Screen size",
                "choice",
                mandatory=True,
                default="24",
                choices=(("24", "24 inch"), ("27", "27 inch")),
            ),
        ),
    ),
    "software": Item(
        "Software installation",
        "software",
        "Software that is not on the standard build; your manager approves.",
        open_to_everyone=True,
        approval=True,
        price="0",
        questions=(
            Question("software_name", "Software and version", mandatory=True),
            Question(
                "licence",
                "Licence",
                "choice",
                choices=(
                    ("free", "Free or open source"),
                    ("have", "I have a licence"),
                    ("buy", "Please buy one"),
                ),
            ),
            JUSTIFICATION,
        ),
    ),
    # --- IT services: access --------------------------------------------------------------------
    "claims-hub-admin": Item(
        "Claims Hub administrator access",
        "app-access",
        "Administer Claims Hub users and workflows; your manager approves.",
        open_to_everyone=True,
        approval=True,
        price="0",
        questions=(
            Question(
                "role",
                "Role",
                "choice",
                mandatory=True,
                choices=(("workflow", "Workflow administrator"), ("users", "User administrator")),
            ),
            JUSTIFICATION,
            Question("until", "Access until", "date", help_text="Leave empty for permanent access."),
        ),
    ),
    "prod-db-access": Item(
        "Production database access",
        "data-access",
        "Read or change data in a production database; your manager approves.",
        open_to_everyone=True,
        approval=True,
        price="0",
        questions=(
            Question(
                "database",
                "Database",
                "choice",
                mandatory=True,
                choices=(
                    ("pg-shared-prd", "pg-shared-prd (PostgreSQL)"),
                    ("ora-policy-prd", "ora-policy-prd (Oracle)"),
                    ("mssql-fin-prd", "mssql-fin-prd (SQL Server)"),
                ),
            ),
            Question(
                "access_level",
                "Access",
                "choice",
                mandatory=True,
                default="read",
                choices=(("read", "Read only"), ("write", "Read and write")),
            ),
            JUSTIFICATION,
            Question("until", "Access until", "date", mandatory=True, help_text="At most 90 days."),
        ),
    ),
    # --- IT services: platforms (for application teams) -----------------------------------------
    "linux-server": Item(
        "Linux server",
        "hosting",
        "A virtual Linux server, patched monthly.",
        offering="tso:linux-std",
        questions=(
            Question("hostname", "Host name suffix", mandatory=True, help_text="e.g. clm-batch"),
            Question("cpus", "CPUs", "integer", mandatory=True, default="4"),
            Question("backup", "Daily backup", "checkbox", default="true"),
        ),
    ),
    "managed-postgresql": Item(
        "Managed PostgreSQL database",
        "databases",
        "A database on the shared production PostgreSQL cluster; your manager approves.",
        offering="tso:pg-prod",
        approval=True,
        questions=(
            Question("database_name", "Database name", mandatory=True),
            Question("size_gb", "Size (GB)", "integer", mandatory=True, default="50"),
            Question("purpose", "What it is for", "multi_line_text"),
        ),
    ),
}


class RequestCatalog:
    """Adds the catalog rows to `tables` (demo/generate.py's Tables), pricing items from its offerings."""

    def __init__(self, tables):
        self.t = tables
        self.offerings = {row["sys_id"]: row for row in tables.rows["service_offering"]}

    def build(self):
        for key, (title, description, order) in CATALOGS.items():
            self.t.add("sc_catalog", key, title=title, description=description, active=True, order=order)
        for order, (key, (catalog, parent, title, description)) in enumerate(CATEGORIES.items(), start=1):
            self.t.add(
                "sc_category",
                key,
                sc_catalog=self.t.sys_id("sc_catalog", catalog),
                parent=self.t.sys_id("sc_category", parent) if parent else "",
                title=title,
                description=description,
                active=True,
                order=order * 10,
            )
        for key, item in ITEMS.items():
            self.item(key, item)

    def item(self, key, item):
        offering = self.offering(item.offering) if item.offering else None
        price, recurring_price, frequency = self.prices(item, offering)
        item_id = self.t.add(
            "sc_cat_item",
            key,
            name=item.name,
            short_description=item.short_description,
            description=item.description,
            category=self.t.sys_id("sc_category", item.category),
            price=price,
            price_currency=CURRENCY,
            recurring_price=recurring_price,
            recurring_frequency=frequency,
            active=True,
            approval_required=item.approval,
            available_to_all=item.open_to_everyone,
        )
        if offering:
            self.t.add(
                "sc_cat_item_subscribe_mtom", key, sc_cat_item=item_id, service_offering=offering["sys_id"]
            )
        for order, question in enumerate(item.questions, start=1):
            variable_key = f"{key}:{question.name}"
            variable_id = self.t.add(
                "item_option_new",
                variable_key,
                cat_item=item_id,
                name=question.name,
                question_text=question.text,
                type=question.type,
                mandatory=question.mandatory,
                order=order * 100,
                help_text=question.help_text,
                default_value=question.default,
            )
            for choice_order, (value, text) in enumerate(question.choices, start=1):
                self.t.add(
                    "question_choice",
                    f"{variable_key}:{value}",
                    question=variable_id,
                    text=text,
                    value=value,
                    order=choice_order * 100,
                )

    def offering(self, key):
        sys_id = self.t.sys_id("service_offering", key)
        if sys_id not in self.offerings:
            raise KeyError(f"The catalog orders an offering the demo does not have: {key}")
        return self.offerings[sys_id]

    @staticmethod
    def prices(item, offering):
        """(price, recurring price, frequency): the item's own price, or its offering's."""
        if offering is None or not offering["price"]:
            return item.price or "0", "", ""
        if offering["price_unit"].endswith("per month"):
            return "0", offering["price"], "monthly"
        return offering["price"], "", ""
