"""What the demo's buyers write (titles, bodies, follow-up comments) and the stores' personal
thank-yous, for ``demo.reviews.builder``. Placeholders in braces are filled by ``fill``."""

from reviews.models import TemplateSituation

STAR_WEIGHTS = {5: 58, 4: 25, 3: 8, 2: 4, 1: 5}
SITUATION_WEIGHTS = {
    TemplateSituation.DEFECT: 45,
    TemplateSituation.WRONG_ITEM: 15,
    TemplateSituation.SERVICE_COMPLAINT: 40,
}
DEMO_BUYERS = ("buyer", "buyer2")

# --- what buyers write ------------------------------------------------------------------------

TITLES_5 = [
    "Exactly what I hoped for",
    "Excellent quality",
    "Love it",
    "Worth every penny",
    "Great product, quick delivery",
    "Would buy again",
    "Better than expected",
    "Perfect gift",
    "Really well made",
    "Highly recommend",
    "Top notch",
    "So glad I bought this",
]
TITLES_4 = [
    "Very good, one small niggle",
    "Solid choice",
    "Good value",
    "Happy with it",
    "Nice, with a minor quibble",
    "Does the job well",
    "Pretty great overall",
    "Good quality",
]
OPENERS = [
    "Really pleased with the {product}.",
    "I've had the {product} for a few weeks now and it has been excellent.",
    "Bought the {product} after comparing a few options and I'm glad I did.",
    "Arrived well packed and even nicer than the photos.",
    "Second order from this store and again no complaints.",
    "Ordered the {product} as a gift and it went down very well.",
    "Great purchase.",
    "I was a bit unsure about buying the {product} online, but it is exactly as described.",
]
STORE_DETAILS = {
    "northwind-outfitters": [
        "Used it on a weekend in the mountains and it did everything I needed.",
        "Feels tough without being heavy, which matters when you carry it all day.",
        "Survived a very wet weekend of camping without any problems.",
        "The materials and finish feel built to last.",
        "Good value for gear of this quality.",
    ],
    "harbor-and-pine-home": [
        "It looks lovely at home and feels well made.",
        "The quality is obvious as soon as you unpack it.",
        "Has held up well to daily use so far.",
        "Exactly the colour and finish shown in the photos.",
        "Makes the whole room feel a bit cosier.",
    ],
    "voltline-electronics": [
        "Worked first time with my laptop and phone, no fuss at all.",
        "Feels premium for the price.",
        "Runs cool and has been completely reliable so far.",
        "Setup took about two minutes.",
        "Much better than the cheaper one I had before.",
    ],
    "kestrel-books-and-paper": [
        "Beautifully made, and it arrived carefully wrapped.",
        "The paper quality is a joy to use.",
        "Feels like a proper keepsake.",
        "Lovely attention to detail throughout.",
        "The gift wrapping was a very nice touch.",
    ],
}
CLOSERS = [
    "Would definitely order again.",
    "Highly recommend this seller.",
    "Delivery was quick too.",
    "Friendly, quick answers from the store when I had a question.",
    "No regrets at all.",
    "",
]
QUIBBLES = [
    "Only small gripe: far more packaging than it needed.",
    "It took a day longer to arrive than the estimate, but it was worth the wait.",
    "The colour is slightly different from the photos, though I like it.",
    "The instructions could be clearer.",
    "A little pricier than elsewhere, but the service made up for it.",
    "Slightly smaller than I expected.",
]
# (title, body) for 1-2 stars, by situation.
COMPLAINTS: dict[str, list[tuple[str, str]]] = {
    TemplateSituation.LATE_DELIVERY: [
        (
            "Arrived over a week late",
            "Order {order} took {days} days to arrive after it shipped. The {product} itself seems fine, "
            "but I needed it by the weekend and it came too late. Tracking showed no movement for days.",
        ),
        (
            "Very slow delivery",
            "I paid for delivery and then waited {days} days. No update from the store while the parcel "
            "sat at the depot.",
        ),
        (
            "Late and no communication",
            "The estimated date came and went without a word from the store. The {product} finally turned "
            "up {days} days after dispatch.",
        ),
        (
            "Missed the birthday",
            "Bought the {product} as a birthday present and it arrived after the party. Disappointing.",
        ),
        (
            "Took far too long",
            "Delivery of order {order} was much slower than the estimate and the tracking page barely "
            "updated. The {product} is fine now that it's here.",
        ),
        (
            "Delivery estimate was way off",
            "The {product} arrived days after the promised date, and nobody from the store told me it would be late.",
        ),
        (
            "Later than promised",
            "The delivery date on order {order} came and went without a word from the store. The {product} "
            "turned up in the end, but too late for what I needed it for.",
        ),
    ],
    TemplateSituation.DEFECT: [
        (
            "Stopped working after two uses",
            "The {product} stopped working properly after the second use. For the price I expected much better.",
        ),
        (
            "Arrived damaged",
            "The box looked fine but the {product} inside has a crack along one side. Not what you expect "
            "from a new item.",
        ),
        (
            "Poor quality",
            "Cheap-feeling materials and a seam that was already coming apart when I took the {product} out "
            "of the box.",
        ),
        (
            "Faulty out of the box",
            "The {product} had a defect straight away. I'd like a replacement, not a repair.",
        ),
        (
            "Not as durable as advertised",
            "Looked great at first, but after a week of normal use the {product} is showing wear it really shouldn't.",
        ),
    ],
    TemplateSituation.WRONG_ITEM: [
        (
            "Wrong item sent",
            "I ordered the {product} but received something completely different (order {order}).",
        ),
        (
            "Received the wrong variant",
            "The parcel had the wrong version of the {product} in it. Now I have to send it back and wait again.",
        ),
        (
            "Not what I ordered",
            "The packing slip said {product}, the box contained a different item. Very frustrating.",
        ),
    ],
    TemplateSituation.SERVICE_COMPLAINT: [
        (
            "Unhelpful customer service",
            "I had a simple question about order {order} and it took days to get a one-line answer.",
        ),
        (
            "Nobody answered my messages",
            "The {product} is okay, but I messaged the store twice about a problem with my order and had to "
            "wait far too long for a reply.",
        ),
        (
            "Refund took forever",
            "I returned part of order {order} and had to chase the refund three times before it arrived.",
        ),
    ],
}
MIXED: dict[str, list[tuple[str, str]]] = {
    TemplateSituation.LATE_DELIVERY: [
        (
            "Good product, slow delivery",
            "The {product} is nice, but delivery took {days} days. It would have been five stars if it had "
            "come on time.",
        ),
        ("Fine, but late", "No complaints about the {product} itself. Shipping was much slower than promised."),
    ],
    TemplateSituation.DEFECT: [
        (
            "Okay, with a small flaw",
            "Mostly happy with the {product}, but mine came with a scuff on the front. Not worth the hassle "
            "of a return.",
        ),
        ("Decent, not great", "The {product} does the job, but the finish feels cheaper than the price suggests."),
    ],
    TemplateSituation.SERVICE_COMPLAINT: [
        ("Average", "It's fine: does what it says, nothing special, and the packaging was a mess."),
        (
            "Mixed feelings",
            "The {product} is good, but it took two messages to get an answer about the delivery date.",
        ),
    ],
}
# Texts that state how long the parcel took (``{days}``, "a week") only fit an order that was slow.
SLOW_ONLY = ("{days}", "week")
RESOLVED_COMMENTS = [
    "The replacement arrived quickly, thank you.",
    "Refund received, all sorted.",
    "The store sorted it out within a couple of days.",
    "Thanks for making it right.",
    "",
]
UNRESOLVED_COMMENTS = [
    "Still waiting for the replacement after a week.",
    "I was told I'd get a refund but nothing has arrived.",
    "Nobody contacted me after the reply.",
]
THANK_YOUS = [
    "Thank you, {customer_name}! We're really glad the {product} is working out for you. See you next time.\n\n"
    "{signature}",
    "Thanks for taking the time to write this, {customer_name}. Happy to hear the {product} arrived safely "
    "and lived up to the photos.\n\n{signature}",
    "We appreciate the kind words, {customer_name}. Enjoy the {product}, and thank you for shopping with us.\n\n"
    "{signature}",
]


def fill(text: str, **values: str) -> str:
    """Plain substitution (product names may hold anything; ``str.format`` is not needed)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text
