"""Words for the council partner survey's demo data: comments and must-haves.

Everything here is made up and written for the demo: the council is "Example
County Council", and the names and places are fictional. The names and places
in :data:`REDACTED_DETAILS` are on the programme's redact list
(``config/programmes/council-partners/redact.txt``), so no output may show them.
Kept apart from :mod:`relaudit_dev.council_demo` so that the numbers module
reads as numbers.
"""

from __future__ import annotations

# Fictional people and places planted in comments and must-haves; the redact
# list covers every one of them.
REDACTED_DETAILS: tuple[str, ...] = (
    "Marjorie Testbridge",
    "Dev Placeholder",
    "Exampleton Lodge",
    "Little Sampleford",
)

# Comment sentences by theme and tone ("low": the respondent is unhappy,
# "high": broadly positive). A comment is one to three of them.
PROVIDER_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "payments": {
        "low": (
            "Invoices are paid late far too often and chasing them takes up hours of our "
            "manager's week.",
            "We waited eleven weeks for one payment and had to use our overdraft to pay "
            "staff wages.",
            "Nobody in Finance could tell us why the payment run had skipped us.",
            "Uplifts were agreed in April but still had not reached us by the end of the summer.",
        ),
        "high": (
            "Payments have been much more reliable since the new portal went live.",
            "The finance team sorted a backlog of our invoices quickly once we raised it.",
        ),
    },
    "responsiveness": {
        "low": (
            "Emails to the council often go unanswered for weeks.",
            "When we ring about a placement we are passed from one number to another.",
            "We raised a concern about a hospital discharge and never heard back.",
        ),
        "high": (
            "Our locality team always gets back to us the same day.",
            "The safeguarding team reply quickly and follow things through.",
            "When things go wrong the duty team are quick to help.",
        ),
    },
    "contacts": {
        "low": (
            "We do not know who to contact any more since the restructure.",
            "It would help to have an up-to-date list of who does what in each team.",
            "Our named contact left and nobody told us who had replaced them.",
        ),
        "high": ("Having a named link officer has made a real difference.",),
    },
    "trust": {
        "low": (
            "It feels as though the council sees providers as a cost rather than a partner.",
            "There is a lot of talk about partnership but decisions do not match it.",
            "Providers are treated with suspicion when something goes wrong.",
        ),
        "high": (
            "Relationships with the commissioners we deal with are honest and open.",
            "We feel trusted to get on with the job.",
        ),
    },
    "involvement": {
        "low": (
            "Changes to the fee model were announced without any real consultation with providers.",
            "We are asked for our views once the decision has already been made.",
            "The new framework was designed without asking anyone who delivers care.",
        ),
        "high": (
            "The provider forum is a good place to raise issues and we are listened to.",
            "We were involved early in planning the new day services and it showed.",
        ),
    },
    "information": {
        "low": (
            "We often hear about changes in policy from other providers rather than the council.",
            "Information arrives too late for us to plan staffing.",
            "Market position statements are out of date by the time we see them.",
        ),
        "high": ("The monthly bulletin is useful and keeps us up to date.",),
    },
    "procurement": {
        "low": (
            "The tender process is complicated and favours the largest organisations.",
            "Procurement rules change from one tender to the next.",
            "Small providers like us cannot afford the time that bids take.",
        ),
        "high": ("The procurement team explained the new framework clearly.",),
    },
    "workforce": {
        "low": (
            "Recruitment is our biggest problem and the council does not seem to understand "
            "the pressure on wages.",
            "Rates do not reflect what it costs to pay care staff properly.",
        ),
        "high": ("The joint recruitment campaign helped us fill several vacancies.",),
    },
}
OFFICER_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "strategy": {
        "low": (
            "Our strategy for the care market changes too often for anyone to follow it.",
            "Staff on the front line are not told where the directorate is heading.",
            "We need a shared plan for the market that everyone signs up to.",
        ),
        "high": ("The new market sustainability plan gives us a clear direction.",),
    },
    "trust": {
        "low": (
            "Some providers only get in touch when they want a higher fee, which makes trust "
            "difficult.",
            "There is a history of disputes with a few providers that colours everything.",
            "We are wary of sharing plans early in case they leak to the market.",
        ),
        "high": ("Most providers I work with are honest about what they can and cannot do.",),
    },
    "working_together": {
        "low": (
            "Teams across the council give providers different answers to the same question.",
            "We work in silos and providers see that.",
        ),
        "high": (
            "Joint visits with commissioning have built good working relationships.",
            "The care home support team works really well with managers.",
            "Providers have been brilliant partners during hospital discharge pressures.",
        ),
    },
    "capacity": {
        "low": (
            "We do not have the capacity to keep in regular contact with every provider.",
            "Caseloads are so high that replies to providers slip.",
        ),
        "high": ("Since we added a provider liaison post, replies have been much quicker.",),
    },
    "payments": {
        "low": ("The payment system causes more complaints from providers than anything else.",),
        "high": ("Finance and commissioning now meet every week to clear payment queries.",),
    },
}

# Sentences that carry the fictional details and pasted markup: each is used
# exactly once, by the respondent the generator picks for it.
PROVIDER_PLANTED: tuple[str, ...] = (
    "Marjorie Testbridge in commissioning was the only person who ever returned our calls.",
    "We run Exampleton Lodge and the council has not visited in two years.",
    "Please ring me on 01632 960481 if you want to discuss our experience.",
    'Our complaint log says it all: =HYPERLINK("http://example.com/log","see log")',
    "Copied from our newsletter: <b>Pay us on time!</b> <script>alert('x')</script>",
    "#1 issue for us is the cost of travel between calls in rural areas, over $40 a day.",
    "The council’s new portal is a real improvement – thank you to the finance team.",
)
OFFICER_PLANTED: tuple[str, ...] = (
    "Dev Placeholder has built excellent relationships with the homes in Little Sampleford.",
    "Contact me at market.team@example-county.gov.uk if you would like to discuss this.",
)
# For the Windows-1252 export: characters that differ from UTF-8 byte for byte.
CP1252_SENTENCES: tuple[str, ...] = (
    "We can’t keep absorbing fee rises of only 2% when wages went up by £1.20 an hour.",
    "The café-style drop-in sessions for providers were the best thing the council did "
    "this year – please bring them back.",
)

# The workshop must-haves: (participant type, session, the analyst's moderated
# category, the words written down). Providers attended fewer sessions.
MUST_HAVES: tuple[tuple[str, str, str, str], ...] = (
    # Providers, first workshop.
    (
        "provider",
        "Provider workshop 1",
        "cooperation_collaboration",
        "Work with us as partners, not just as suppliers",
    ),
    (
        "provider",
        "Provider workshop 1",
        "meetings_communication",
        "Provider forums that lead to actions, not just talk",
    ),
    ("provider", "Provider workshop 1", "payments", "Invoices paid within 30 days, every time"),
    (
        "provider",
        "Provider workshop 1",
        "market_understanding",
        "Commissioners who understand what it really costs to deliver care",
    ),
    (
        "provider",
        "Provider workshop 1",
        "cooperation_collaboration",
        "Joint problem solving when a care package breaks down",
    ),
    (
        "provider",
        "Provider workshop 1",
        "provider_voice",
        "A provider representative on the adult social care board",
    ),
    (
        "provider",
        "Provider workshop 1",
        "trust_honesty",
        "Honesty about the budget position, even when the news is bad",
    ),
    (
        "provider",
        "Provider workshop 1",
        "meetings_communication",
        "A regular newsletter with the changes that affect providers",
    ),
    (
        "provider",
        "Provider workshop 1",
        "contacts_structure",
        "An up-to-date contact list for every council team we deal with",
    ),
    (
        "provider",
        "Provider workshop 1",
        "market_understanding",
        "Recognition of the pressures on recruiting and keeping care staff",
    ),
    (
        "provider",
        "Provider workshop 1",
        "cooperation_collaboration",
        "Shared training between council staff and provider staff",
    ),
    (
        "provider",
        "Provider workshop 1",
        "response_times",
        "Replies to emails within five working days",
    ),
    (
        "provider",
        "Provider workshop 1",
        "meetings_communication",
        "Meetings with a clear agenda and minutes sent out afterwards",
    ),
    (
        "provider",
        "Provider workshop 1",
        "cooperation_collaboration",
        "Regular catch-ups with Marjorie Testbridge and the commissioning team",
    ),
    (
        "provider",
        "Provider workshop 1",
        "market_understanding",
        "Fee rates based on an open cost of care exercise",
    ),
    # Providers, second workshop.
    (
        "provider",
        "Provider workshop 2",
        "cooperation_collaboration",
        "Co-design new services with the providers who will run them",
    ),
    (
        "provider",
        "Provider workshop 2",
        "provider_voice",
        "Providers listened to before decisions are made, not after",
    ),
    (
        "provider",
        "Provider workshop 2",
        "meetings_communication",
        "Fewer, better meetings at times care managers can attend",
    ),
    (
        "provider",
        "Provider workshop 2",
        "consistency",
        "The same answer whichever council team we ask",
    ),
    (
        "provider",
        "Provider workshop 2",
        "market_understanding",
        "Understanding that small providers run on very tight margins",
    ),
    (
        "provider",
        "Provider workshop 2",
        "cooperation_collaboration",
        "Partnership working on hospital discharges",
    ),
    (
        "provider",
        "Provider workshop 2",
        "trust_honesty",
        "Trust that we are doing our best for the people we support",
    ),
    (
        "provider",
        "Provider workshop 2",
        "payments",
        "<b>Pay providers on time</b> and tell us when a payment will be late",
    ),
    (
        "provider",
        "Provider workshop 2",
        "meetings_communication",
        "Clear communication when policies change, with enough notice to plan",
    ),
    (
        "provider",
        "Provider workshop 2",
        "cooperation_collaboration",
        "Work together on recruitment campaigns across the county",
    ),
    (
        "provider",
        "Provider workshop 2",
        "response_times",
        "Quicker decisions on care package changes",
    ),
    (
        "provider",
        "Provider workshop 2",
        "market_understanding",
        "Commissioners who visit services to see the business from the inside",
    ),
    (
        "provider",
        "Provider workshop 2",
        "provider_voice",
        "A provider reference group that helps shape commissioning plans",
    ),
    (
        "provider",
        "Provider workshop 2",
        "meetings_communication",
        "Events where providers and council staff can meet face to face",
    ),
    (
        "provider",
        "Provider workshop 2",
        "other",
        "Free parking for carers visiting clients near the town centre",
    ),
    # Officers, first workshop.
    (
        "officer",
        "Officer workshop 1",
        "cooperation_collaboration",
        "Work alongside providers to find solutions together",
    ),
    (
        "officer",
        "Officer workshop 1",
        "meetings_communication",
        "Regular provider engagement events run jointly by teams",
    ),
    (
        "officer",
        "Officer workshop 1",
        "consistency",
        "One consistent message to providers from the whole council",
    ),
    ("officer", "Officer workshop 1", "trust_honesty", "An open and honest culture on both sides"),
    (
        "officer",
        "Officer workshop 1",
        "cooperation_collaboration",
        "Collaboration on market shaping rather than only contract monitoring",
    ),
    (
        "officer",
        "Officer workshop 1",
        "market_understanding",
        "Better knowledge of each provider's business and its pressures",
    ),
    (
        "officer",
        "Officer workshop 1",
        "contacts_structure",
        "A structure chart showing who providers should contact for what",
    ),
    (
        "officer",
        "Officer workshop 1",
        "meetings_communication",
        "Better communication about what the council is planning",
    ),
    (
        "officer",
        "Officer workshop 1",
        "provider_voice",
        "A clear provider voice that speaks for the whole sector",
    ),
    (
        "officer",
        "Officer workshop 1",
        "cooperation_collaboration",
        "Joint working between care homes and the hospital discharge team",
    ),
    (
        "officer",
        "Officer workshop 1",
        "response_times",
        "Agreed response times for provider queries",
    ),
    (
        "officer",
        "Officer workshop 1",
        "consistency",
        "A consistent approach to fee uplifts across all services",
    ),
    (
        "officer",
        "Officer workshop 1",
        "meetings_communication",
        "Shorter meetings that focus on decisions",
    ),
    (
        "officer",
        "Officer workshop 1",
        "cooperation_collaboration",
        "Partnership with providers in planning winter pressures",
    ),
    (
        "officer",
        "Officer workshop 1",
        "payments",
        "Payments to providers made on time without them having to chase",
    ),
    (
        "officer",
        "Officer workshop 1",
        "trust_honesty",
        "Mutual trust so providers tell us early when they are struggling",
    ),
    ("officer", "Officer workshop 1", "other", "More training budget for new social workers"),
    (
        "officer",
        "Officer workshop 1",
        "meetings_communication",
        "A provider newsletter that people actually read",
    ),
    # Officers, second workshop.
    (
        "officer",
        "Officer workshop 2",
        "cooperation_collaboration",
        "Providers and council teams working as one team for each person",
    ),
    (
        "officer",
        "Officer workshop 2",
        "market_understanding",
        "Understand the care market well enough to spot problems early",
    ),
    (
        "officer",
        "Officer workshop 2",
        "cooperation_collaboration",
        "Shared goals agreed with providers",
    ),
    (
        "officer",
        "Officer workshop 2",
        "meetings_communication",
        "Quarterly events for providers with senior managers present",
    ),
    (
        "officer",
        "Officer workshop 2",
        "consistency",
        "Everyone in the council following the same process with providers",
    ),
    (
        "officer",
        "Officer workshop 2",
        "contacts_structure",
        "Named link officers for every provider",
    ),
    (
        "officer",
        "Officer workshop 2",
        "trust_honesty",
        "Be honest with providers about what we can afford",
    ),
    (
        "officer",
        "Officer workshop 2",
        "cooperation_collaboration",
        "Joint training for council and provider staff",
    ),
    (
        "officer",
        "Officer workshop 2",
        "provider_voice",
        "Providers represented when we plan new services",
    ),
    (
        "officer",
        "Officer workshop 2",
        "meetings_communication",
        "Clear and timely communication to providers about changes",
    ),
    (
        "officer",
        "Officer workshop 2",
        "response_times",
        "Faster answers to providers' questions about packages",
    ),
    (
        "officer",
        "Officer workshop 2",
        "cooperation_collaboration",
        "Collaborative problem solving when a placement is at risk",
    ),
    (
        "officer",
        "Officer workshop 2",
        "market_understanding",
        "Know the real cost of providing care in rural areas",
    ),
    ("officer", "Officer workshop 2", "other", "Better IT for staff working from home"),
    (
        "officer",
        "Officer workshop 2",
        "meetings_communication",
        "+ Use the provider forum to share plans early",
    ),
    (
        "officer",
        "Officer workshop 2",
        "cooperation_collaboration",
        "Working together with Dev Placeholder's provider network",
    ),
    (
        "officer",
        "Officer workshop 2",
        "trust_honesty",
        "A culture where mistakes are discussed without blame",
    ),
    ("officer", "Officer workshop 2", "consistency", "Consistent contract monitoring across teams"),
    # Officers, third workshop.
    (
        "officer",
        "Officer workshop 3",
        "cooperation_collaboration",
        "Work in partnership on the new home care model",
    ),
    (
        "officer",
        "Officer workshop 3",
        "meetings_communication",
        "Communication that reaches front-line staff in care homes too",
    ),
    (
        "officer",
        "Officer workshop 3",
        "provider_voice",
        "A provider board that can speak for providers in the county",
    ),
    (
        "officer",
        "Officer workshop 3",
        "market_understanding",
        "Business understanding of how providers set their prices",
    ),
    (
        "officer",
        "Officer workshop 3",
        "cooperation_collaboration",
        "Joint visits by commissioning and operations staff",
    ),
    (
        "officer",
        "Officer workshop 3",
        "contacts_structure",
        "A directory of council contacts kept up to date",
    ),
    ("officer", "Officer workshop 3", "trust_honesty", "Trust built through keeping our promises"),
    (
        "officer",
        "Officer workshop 3",
        "payments",
        '=HYPERLINK("http://example.com","Pay invoices promptly")',
    ),
    (
        "officer",
        "Officer workshop 3",
        "consistency",
        "#1: the same rules for every provider, whichever team they deal with",
    ),
    (
        "officer",
        "Officer workshop 3",
        "meetings_communication",
        "Meetings that happen when they are planned and are not cancelled",
    ),
    (
        "officer",
        "Officer workshop 3",
        "cooperation_collaboration",
        "Collaboration on workforce plans with providers",
    ),
    (
        "officer",
        "Officer workshop 3",
        "response_times",
        "Quicker replies from the council when a provider raises a concern",
    ),
    (
        "officer",
        "Officer workshop 3",
        "cooperation_collaboration",
        "Work with providers in Little Sampleford on a local care hub",
    ),
    (
        "officer",
        "Officer workshop 3",
        "provider_voice",
        "Hear from providers directly, not only through complaints",
    ),
    (
        "officer",
        "Officer workshop 3",
        "market_understanding",
        "An understanding of the market that goes beyond price",
    ),
    (
        "officer",
        "Officer workshop 3",
        "meetings_communication",
        "One provider bulletin instead of several emails from different teams",
    ),
    (
        "officer",
        "Officer workshop 3",
        "other",
        "Desks for visiting staff at the county hall annexe",
    ),
)
