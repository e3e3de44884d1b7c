"""The demo marketplace's cast and catalogue: logins, buyers, stores and products, carriers, reasons."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Role

DEFAULT_PASSWORD = "saypro-demo-2026"  # noqa: S105 - the documented demo password, overridable by env
RANDOM_SEED = 2026
DEFAULT_ORDERS = 300
HISTORY_DAYS = 182
RECENT_DAYS = 7
RECENT_SHARE = 0.12
BATCH_SIZE = 500

# Demo pricing rules (data, not platform rules): 8 % sales tax, free shipping from 75.00.
TAX_RATE = Decimal("0.08")
FREE_SHIPPING_FROM = Decimal("75.00")
SHIPPING_FEE = Decimal("6.95")
DISCOUNT_RATE = Decimal("0.10")


@dataclass(frozen=True)
class Login:
    username: str
    first_name: str
    last_name: str
    role: Role
    lands_on: str
    is_superuser: bool = False


LOGINS: list[Login] = [
    Login("admin", "Morgan", "Reyes", Role.ADMIN, "/admin/ (superuser)", is_superuser=True),
    Login("support", "Samuel", "Okafor", Role.SUPPORT, "/admin/"),
    Login("moderator", "Lena", "Fischer", Role.MODERATOR, "/admin/"),
    Login("finance", "Daniel", "Mensah", Role.FINANCE, "/admin/"),
    Login("integration", "ERP", "Connector", Role.INTEGRATION, "/admin/, /api/v1/"),
    Login("seller", "Jordan", "Blake", Role.SELLER, "/seller/ (owner, Northwind Outfitters)"),
    Login("seller2", "Maya", "Chen", Role.SELLER, "/seller/ (Harbor & Pine Home)"),
    Login("seller3", "Priya", "Natarajan", Role.SELLER, "/seller/ (Voltline Electronics)"),
    Login("seller4", "Owen", "Gallagher", Role.SELLER, "/seller/ (Kestrel Books & Paper)"),
    Login("buyer", "Emily", "Carter", Role.BUYER, "/messages/"),
    Login("buyer2", "Lucas", "Martin", Role.BUYER, "/messages/"),
]

# Other buyers (no printed login): first name, last name, city.
BUYERS: list[tuple[str, str, str]] = [
    ("Amelia", "Hart", "Denver, CO"),
    ("Noah", "Whitfield", "Austin, TX"),
    ("Sofia", "Alvarez", "Miami, FL"),
    ("Ethan", "Brooks", "Columbus, OH"),
    ("Grace", "Kim", "Seattle, WA"),
    ("Oliver", "Nguyen", "San Diego, CA"),
    ("Hannah", "Schultz", "Milwaukee, WI"),
    ("Isaac", "Adeyemi", "Atlanta, GA"),
    ("Chloe", "Dubois", "New Orleans, LA"),
    ("Mateo", "Rossi", "Providence, RI"),
    ("Ava", "Sullivan", "Boston, MA"),
    ("Liam", "O'Connor", "Chicago, IL"),
    ("Zara", "Patel", "Jersey City, NJ"),
    ("Caleb", "Foster", "Nashville, TN"),
    ("Mia", "Johansson", "Minneapolis, MN"),
    ("Henry", "Walsh", "Pittsburgh, PA"),
    ("Layla", "Haddad", "Dearborn, MI"),
    ("Julian", "Park", "Irvine, CA"),
    ("Nora", "Lindqvist", "Portland, OR"),
    ("Samuel", "Grant", "Raleigh, NC"),
    ("Elena", "Popescu", "Phoenix, AZ"),
    ("Theo", "Marshall", "Salt Lake City, UT"),
    ("Ruby", "Castillo", "Albuquerque, NM"),
]
DEMO_BUYER_CITIES = {"buyer": "Brooklyn, NY", "buyer2": "Philadelphia, PA"}


@dataclass(frozen=True)
class StoreSpec:
    name: str
    slug: str
    city: str
    sku_prefix: str
    carriers: tuple[str, ...]
    weight: int
    products: tuple[tuple[str, str, str], ...]  # name, price, description


STORES: list[StoreSpec] = [
    StoreSpec(
        "Northwind Outfitters",
        "northwind-outfitters",
        "Boulder, CO",
        "NWO",
        ("UPS", "FedEx"),
        34,
        (
            ("Ridgeline 2-Person Backpacking Tent", "249.00", "Freestanding, 1.9 kg, two doors and vestibules."),
            ("Summit 45L Hiking Backpack", "139.95", "Adjustable torso, rain cover included."),
            ("Trailblazer Waterproof Hiking Boots", "164.50", "Leather upper with a waterproof membrane."),
            ("Alpine Down Sleeping Bag (-5 °C)", "189.00", "650-fill responsibly sourced down."),
            ("Carbon Trekking Poles (pair)", "79.99", "Three-section, flick-lock, 230 g each."),
            ("Insulated Steel Water Bottle 1 L", "32.00", "Keeps drinks cold for 24 hours."),
            ("Merino Wool Base Layer Top", "68.00", "200 gsm merino, odour resistant."),
            ("Packable Rain Shell Jacket", "119.00", "2.5-layer waterproof, packs into its pocket."),
            ("Headlamp 400 Lumen Rechargeable", "39.95", "USB-C charging, red night mode."),
            ("Compact Camp Stove Kit", "54.50", "Stove, 1 L pot and windscreen."),
        ),
    ),
    StoreSpec(
        "Harbor & Pine Home",
        "harbor-and-pine-home",
        "Portland, ME",
        "HPH",
        ("USPS", "UPS"),
        28,
        (
            ("Stoneware Dinner Plate Set (4)", "58.00", "Reactive glaze, dishwasher safe."),
            ("Linen Duvet Cover, Queen", "129.00", "Stonewashed European flax linen."),
            ("Cast Iron Skillet 12 in", "44.95", "Pre-seasoned, oven safe."),
            ("Soy Candle, Cedar & Sea Salt", "24.00", "Hand-poured, 50-hour burn."),
            ("Oak Serving Board", "36.50", "Solid white oak, oiled finish."),
            ("Chunky Knit Throw Blanket", "89.00", "Chenille yarn, 130 x 170 cm."),
            ("Ceramic Pour-over Coffee Set", "49.00", "Dripper, carafe and two cups."),
            ("Cotton Waffle Bath Towels (2)", "39.00", "Quick-drying Turkish cotton."),
            ("Glass Storage Jars (3)", "27.95", "Airtight bamboo lids."),
            ("Woven Seagrass Basket", "42.00", "Handwoven, with handles."),
        ),
    ),
    StoreSpec(
        "Voltline Electronics",
        "voltline-electronics",
        "San Jose, CA",
        "VLT",
        ("FedEx", "DHL Express"),
        22,
        (
            ("AirPulse Wireless Earbuds", "79.00", "Active noise cancelling, 30 h with case."),
            ("65 W USB-C GaN Charger", "45.99", "Three ports, foldable plug."),
            ("10,000 mAh Slim Power Bank", "34.99", "20 W fast charge."),
            ("Mechanical Keyboard, Brown Switches", "109.00", "Hot-swappable, tenkeyless."),
            ('27" QHD IPS Monitor', "289.00", "2560 x 1440, 75 Hz, height adjustable."),
            ("1080p Webcam with Privacy Shutter", "59.95", "Dual microphones, autofocus."),
            ("Smart Wi-Fi Plug (2-pack)", "24.99", "Energy monitoring, works offline."),
            ("Bluetooth Bookshelf Speaker", "129.00", "Stereo pair ready, 40 W."),
            ("USB-C Docking Station 8-in-1", "99.00", "HDMI 4K, Ethernet, SD card, 100 W PD."),
            ("Braided USB-C Cable 2 m", "14.99", "60 W, 10,000-bend tested."),
        ),
    ),
    StoreSpec(
        "Kestrel Books & Paper",
        "kestrel-books-and-paper",
        "Asheville, NC",
        "KBP",
        ("USPS",),
        16,
        (
            ("Dot Grid Notebook A5, Hardcover", "18.50", "160 pages of 100 gsm paper."),
            ("The Quiet Tide (hardcover novel)", "24.99", "Signed first edition."),
            ("Fountain Pen, Fine Nib", "42.00", "Brass body, converter included."),
            ("Watercolour Sketchbook 300 gsm", "26.00", "Cold-pressed, 24 sheets."),
            ("Field Guide to Coastal Birds", "29.95", "Over 300 species, illustrated."),
            ("Weekly Planner 2026", "21.00", "Lay-flat binding, monthly overviews."),
            ("Brass Bookmark Set", "12.50", "Set of three, gift boxed."),
            ("Letterpress Greeting Cards (8)", "19.00", "Blank inside, with envelopes."),
            ("Leather Journal Cover", "55.00", "Vegetable-tanned, fits A5."),
            ("Archival Ink Fineliners (6)", "16.75", "Waterproof, fade resistant."),
        ),
    ),
]
DEMO_SELLER_SLUGS = [store.slug for store in STORES]
# The login of each store, in the order of STORES.
STORE_LOGINS = ["seller", "seller2", "seller3", "seller4"]

CARRIER_HUBS = {
    "UPS": ["Louisville, KY (Worldport)", "Hodgkins, IL"],
    "FedEx": ["Memphis, TN (World Hub)", "Indianapolis, IN"],
    "USPS": ["Regional distribution center", "Network distribution center"],
    "DHL Express": ["Cincinnati, OH (CVG Hub)", "Los Angeles, CA"],
}
REISSUE_REASONS = [
    "Buyer asked for their company name on the invoice.",
    "Billing address corrected at the buyer's request.",
    "Tax ID added for a business purchase.",
    "Line description corrected to match the product ordered.",
]
PARTIAL_REFUND_REASONS = [
    "One item arrived damaged; refunded that item.",
    "Goodwill credit for a late delivery.",
    "Item returned unopened within 30 days.",
]
