"""The spec model: one validated description of a partnership agreement.

The model checks shape and consistency (a party that is referred to exists,
a responsibility has exactly one Accountable party, dates are in order); it
does not check completeness. Sections a completeness profile may report as
missing are optional here, so that an unfinished spec still loads and still
builds a draft with its gaps marked.

Every field has a description: they become the JSON Schema's documentation
and the spec reference in ``docs/``.
"""

# No ``from __future__ import annotations``: pydantic would then evaluate each of the
# model's annotations from its text, a fifth of the time it takes to import this module.

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictInt, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from mou_builder.spec.types import (
    Count, Currency, Days, Flag, Identifier, InstalmentCount, IsoDate, Money, Months, Percent, Text,
)
from mou_builder.spec.types import find_placeholders, is_placeholder, texts_in

SCHEMA_ID = "https://mou-builder.invalid/schemas/mou-spec.schema.json"


def named_default(default: Any, description: str, *, when: str | None = None, shows: str | None = None) -> Any:
    """A field whose default puts a term in the draft that the spec may never have stated.

    ``mou-build check`` reports each one in force as an ``info`` finding
    (``default-term``) when the spec leaves it out and ``when`` (a clause
    condition) holds, so a reviewer sees what the draft asserts on its own.
    ``shows`` is an expression giving the value the draft uses, for a default
    derived from other fields.
    """
    extra: dict[str, Any] = {"x-named-default": True}
    if when:
        extra["x-default-when"] = when
    if shows:
        extra["x-default-shows"] = shows
    return Field(default, description=description, json_schema_extra=extra)


class _Model(BaseModel):
    # defer_build: each model's validator is built once, inside Spec's, on first
    # use; not once per class at import time (which doubled the start-up cost).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# ---------------------------------------------------------------- metadata


class PriorAmendment(_Model):
    """An amendment the parties have already signed."""

    # Not a placeholder: the amendments are numbered in order, and the next one after them.
    number: Annotated[StrictInt, Field(ge=1)] = Field(description="Its number: Amendment No. N.", examples=[1])
    date: IsoDate = Field(description="The date it took effect (YYYY-MM-DD).")
    title: Text | None = Field(None, description="Its title, when it is not 'Amendment No. N'.")


class Agreement(_Model):
    """What the document is: title, number, profile, draft and date."""

    title: Text = Field(description="Title printed on the first page and in the header.")
    short_title: Text | None = Field(None, description="Short title used in running text, e.g. 'the Agreement'.")
    kind: Literal["memorandum_of_understanding", "partnership_agreement", "data_sharing_agreement"] = named_default(
        "memorandum_of_understanding",
        "The kind of instrument; it names the instrument in the text ('This Memorandum of Understanding (the "
        "\"MOU\")') and gives the defined term when short_title is absent.",
    )
    number: Text | None = Field(None, description="Agreement or contract number, if the parties use one.")
    profile: Identifier = Field(
        "general",
        description="Completeness profile the draft is checked against: general, head_start, student_data or "
        "health_data, "
        "or the id of a profile file given on the command line.",
    )
    draft_version: Text = Field("1", description="Draft label shown in the header, e.g. '3' or '2.1'.")
    final: Flag = Field(False, description="True for the execution copy: the header then shows no draft marker.")
    document_date: IsoDate = Field(
        description="Date of this draft (YYYY-MM-DD). It is also the file's creation date, so builds are repeatable."
    )
    program: Text | None = Field(None, description="Program or project name the agreement serves.")
    funding_source: Text | None = Field(None, description="Funding source of the program, e.g. a grant name.")
    amendments: list[PriorAmendment] = Field(
        default_factory=list,
        description="Amendments already signed, in order. The cover reads 'as amended by Amendment No. 1 dated "
        "March 1, 2027', and `mou-build amend` recites them and numbers the next one after the last.",
    )


# ---------------------------------------------------------------- parties


class Contact(_Model):
    """A person to contact at a party."""

    name: Text = Field(description="Full name.")
    title: Text | None = Field(None, description="Job title.")
    email: Text | None = Field(None, description="E-mail address.")
    phone: Text | None = Field(None, description="Telephone number.")


PartyRole = Literal["lead", "partner", "fiscal_agent", "grantor", "grantee", "custodian", "recipient"]


class Party(_Model):
    """An organisation that signs the agreement."""

    id: Identifier = Field(description="Short id the rest of the spec uses to refer to this party, e.g. 'cap'.")
    legal_name: Text = Field(description="Full legal name, exactly as it should appear in the agreement.")
    short_name: Text = Field(description="Name used in running text, e.g. 'the District'.")
    legal_form: Text | None = Field(
        None, description="Legal form, e.g. 'a Texas non-profit corporation' or 'a public school district'."
    )
    address: Text | None = Field(None, description="Postal address (may span several lines).")
    role: PartyRole = Field("partner", description="The party's role in the partnership.")
    plural: Flag | None = Field(
        None,
        description="True when the short name is grammatically plural ('the Signatories', 'the Partners'), so that "
        "verbs agree with it; when absent, a short name of the form 'the ...s' counts as plural.",
    )
    public_body: Flag = Field(
        False, description="True for a government body or a party spending public grant money."
    )
    tax_id: Text | None = Field(None, description="Tax or registration number.")
    agreement_numbers: list[Text] = Field(
        default_factory=list, description="The party's own reference numbers for this agreement."
    )
    contacts: list[Contact] = Field(default_factory=list, description="People to contact at this party.")
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other names the agreement uses for this party besides its short name, e.g. an abbreviation "
        "('SFUSD'). The parties table defines them together, once: San Francisco Unified School District "
        "(the \"District\" or \"SFUSD\"); use them in the spec's own text.",
        examples=[["SFUSD"]],
    )
    notice_address: Text | None = Field(
        None,
        description="Address for formal notices, when it differs from the office address (may span several "
        "lines). The notices clause lists it; without it, notices go to the party's address.",
        examples=["555 Franklin Street, Room 301\nSan Francisco, CA 94102"],
    )
    notice_attention: Text | None = Field(
        None, description="Attention line of notices to this party, e.g. 'General Counsel'.",
        examples=["Office of the General Counsel"],
    )
    notice_email: Text | None = Field(
        None, description="E-mail address for formal notices (needs an e-mail notice method).",
        examples=["legal@sfusd.edu"],
    )


BodyKind = Literal["funder", "committee", "researcher", "third_party", "regulator", "other"]


class Body(_Model):
    """An organisation, committee or person the agreement names without making it a party.

    A body signs nothing and owes nothing under the agreement: it may be
    consulted or informed, receive reports and copies of notices, and a
    committee may be established by the agreement or already exist.
    """

    id: Identifier = Field(
        description="Short id the rest of the spec uses to refer to this body ('hhs'); distinct from every party id."
    )
    name: Text = Field(
        description="Full name as it reads in a sentence, with its article if it takes one: 'the U.S. Department "
        "of Health and Human Services', 'the Joint Steering Committee'.",
        examples=["the U.S. Department of Health and Human Services"],
    )
    short_name: Text | None = Field(
        None,
        description="Name used in running text, defined once in the table of bodies: 'HHS', 'the Committee'. "
        "When absent the full name is used throughout.",
        examples=["HHS"],
    )
    kind: BodyKind = Field(
        "other", description="funder, committee, researcher, third_party, regulator or other."
    )
    existing: Flag | None = Field(
        None,
        description="For a committee: true when it already exists (the Parties report to it), false when this "
        "agreement establishes it. Required for a committee; other bodies exist on their own.",
    )
    description: Text | None = Field(
        None, description="Its role in the partnership, as printed in the table of bodies.",
        examples=["Funds the program under grant 90HP0012."],
    )
    members: list[Identifier] = Field(
        default_factory=list, description="For a committee: ids of the parties represented on it."
    )
    address: Text | None = Field(
        None, description="Address to which copies of notices are sent (for a body in communication.notice_copies)."
    )
    attention: Text | None = Field(None, description="Attention line of the copies of notices it receives.")
    email: Text | None = Field(None, description="E-mail address for the copies of notices it receives.")


# ---------------------------------------------------------------- purpose, goals, scope


class Purpose(_Model):
    """Why the parties enter into the agreement."""

    statement: Text = Field(description="The purpose of the agreement, in one or two sentences.")
    benefits: list[Text] = Field(
        default_factory=list, description="Benefits of the partnership for the people served and for each party."
    )


class SharedVision(_Model):
    """The shared vision and goals the partnership guides recommend settling first."""

    vision: Text | None = Field(None, description="The shared vision or mission.")
    goals: list[Text] = Field(default_factory=list, description="Shared goals, each one measurable if possible.")


class Scope(_Model):
    """What the partnership does, where and for whom."""

    summary: Text = Field(description="Scope of the activities under the agreement.")
    activities: list[Text] = Field(default_factory=list, description="The activities, one per item.")
    service_area: Text | None = Field(None, description="Geographic service area.")
    population: Text | None = Field(None, description="Who is served.")
    participants: Count | None = Field(None, description="Number of children, families or people served.")


# ---------------------------------------------------------------- responsibilities


class Responsibility(_Model):
    """One activity, with the RACI role of each party.

    Exactly one party is Accountable: the model makes that a single field
    rather than a rule to check.
    """

    activity: Text = Field(
        description="What is to be done, as a verb phrase ('Provide classroom space'). The draft reads "
        "'The District shall: (a) provide classroom space ...', so its first letter is lower-cased there "
        "unless the first word is an acronym or all capitals."
    )
    accountable: Identifier = Field(description="Id of the one party accountable for the activity.")
    responsible: list[Identifier] = Field(default_factory=list, description="Ids of the parties doing the work.")
    consulted: list[Identifier] = Field(
        default_factory=list, description="Ids of the parties or bodies (bodies:) consulted."
    )
    informed: list[Identifier] = Field(
        default_factory=list, description="Ids of the parties or bodies (bodies:) kept informed."
    )
    due: IsoDate | None = Field(None, description="Deadline (YYYY-MM-DD), if there is one.")
    cadence: Text | None = Field(None, description="How often it happens, e.g. 'monthly'.")
    details: Text | None = Field(None, description="How it is done, in more detail.")


# ---------------------------------------------------------------- money


ContributionKind = Literal["cash", "in_kind"]
ContributionBasis = Literal["fixed", "actual_cost", "reimbursement", "pass_through", "rate"]


class Rate(_Model):
    """A price per unit of work or service: '$75.00 per hour', with an optional cap."""

    amount: Money = Field(description="The price of one unit, e.g. 75.00.", examples=["75.00"])
    per: Text = Field(
        description="The unit the price is for, as the draft says it after 'per': hour, unit, participant, day, "
        "month, or other words ('session delivered').",
        examples=["hour", "participant", "session delivered"],
    )
    cap: Money | None = Field(
        None,
        description="Most the payer pays under the contribution in all, fixed part (amount) included; "
        "without it the total is open-ended.",
        examples=["20000.00"],
    )


class Instalments(_Model):
    """A contribution's amount paid in instalments: on named dates, or at a cadence.

    Without ``amounts`` the instalments are equal; when the total does not
    divide evenly into the currency's smallest unit, the last instalment
    absorbs the remainder, and the draft says so.
    """

    count: InstalmentCount | None = Field(
        None,
        description="Number of instalments; may be left out when dates are given (one instalment per date).",
        examples=[4],
    )
    dates: list[IsoDate] = Field(
        default_factory=list,
        description="Due date of each instalment (YYYY-MM-DD), in order.",
        examples=[["2027-01-15", "2027-04-15", "2027-07-15", "2027-10-15"]],
    )
    cadence: Text | None = Field(
        None,
        description="When the instalments fall due, when no dates are given, e.g. 'on the first business day of "
        "each calendar quarter'.",
        examples=["on the first business day of each calendar quarter"],
    )
    amounts: list[Money] = Field(
        default_factory=list,
        description="The amount of each instalment, in order, when they are not equal; they must add up to the "
        "contribution's amount (or not_to_exceed).",
        examples=[["30000.00", "30000.00", "20000.00", "20000.00"]],
    )


class Contribution(_Model):
    """Money or an in-kind item one party provides to another."""

    payer: Identifier = Field(description="Id of the party that pays or provides.")
    payee: Identifier = Field(description="Id of the party that receives.")
    kind: ContributionKind = Field("cash", description="cash, or in_kind (space, staff time, equipment, transport).")
    description: Text = Field(description="What is provided, e.g. 'Classroom space at Lincoln Elementary'.")
    amount: Money | None = Field(
        None,
        description="Exact amount, or value of an in-kind item; with basis rate, a fixed sum paid besides the rate.",
    )
    currency: Currency | None = Field(None, description="ISO 4217 code; defaults to financial.currency.")
    basis: ContributionBasis = Field(
        "fixed",
        description="fixed sum (or a sum up to not_to_exceed, or set by amount_set_by); actual_cost reconciled; "
        "reimbursement at a percentage; pass_through of grant funds; rate: a price per unit (see rate).",
    )
    reimbursement_percent: Percent | None = Field(None, description="Share of costs reimbursed (basis reimbursement).")
    cap: Money | None = Field(
        None,
        description="Most the payer will pay under a cost-based contribution (actual_cost, reimbursement, "
        "pass_through) or a fixed amount. For a sum not fixed in advance use not_to_exceed; for a rate, rate.cap.",
    )
    not_to_exceed: Money | None = Field(
        None,
        description="Ceiling of a fixed-basis payment whose exact sum is not set in advance: the draft says "
        "'up to $50,000.00'. Instead of amount (a fixed sum) and cap.",
        examples=["50000.00"],
    )
    amount_set_by: Text | None = Field(
        None,
        description="The approved budget or other document that sets the amount (basis fixed), e.g. 'the project "
        "budget approved by the Foundation'; printed as written. Instead of amount; with not_to_exceed as its "
        "ceiling.",
        examples=["the annual budget approved by the Steering Committee"],
    )
    rate: Rate | None = Field(None, description="The price per unit (basis rate), with its unit and optional cap.")
    instalments: Instalments | None = Field(
        None,
        description="Payment of the amount (or not_to_exceed) in instalments, on dates or at a cadence; the draft "
        "prints the schedule with its total. Instead of schedule.",
    )
    admin_fee_percent: Percent | None = Field(
        None,
        description="Share of the funds it receives for this contribution that the payer keeps as an "
        "administrative fee (e.g. a fiscal sponsor's 8); the amounts of the contribution are what the payee "
        "receives after the fee.",
        examples=["8"],
    )
    schedule: Text | None = Field(None, description="When payments are made or items provided, e.g. 'quarterly in arrears'.")
    restrictions: Text | None = Field(None, description="Restrictions on the use of the funds.")


class BudgetPeriod(_Model):
    """The budget of one year or other period of a multi-year agreement."""

    period: Text = Field(description="The period as the draft names it, e.g. '2027' or 'Year 1 (July 2026 - June 2027)'.")
    amount: Money = Field(description="The budget of the period.", examples=["46000.00"])


class Financial(_Model):
    """Financial obligations: who pays whom, how much, and on what terms."""

    no_cost: Flag = Field(False, description="True when no money moves between the parties under this agreement.")
    currency: Currency = named_default(
        "USD", "Default ISO 4217 currency of the amounts.", when="financial.contributions or financial.budget_total"
    )
    budget_total: Money | None = Field(None, description="Total budget the contributions must add up to.")
    budget_by_year: list[BudgetPeriod] = Field(
        default_factory=list,
        description="The budget divided by year or other period, in order (in financial.currency); the periods "
        "must add up to budget_total when both are given, and stand for it when it is absent.",
    )
    contributions: list[Contribution] = Field(default_factory=list, description="Contributions, cash and in-kind.")
    fiscal_agent: Identifier | None = Field(None, description="Id of the party acting as fiscal agent.")
    funding_plan: Text | None = Field(None, description="How the partnership is funded, and what happens if funding ends.")
    cost_allocation: Text | None = Field(None, description="How shared costs are allocated between the parties.")
    billing: Text | None = Field(None, description="How invoices are submitted and paid.")
    unspent_funds: Text | None = Field(None, description="What happens to funds unspent at the end of a period.")
    separate_contract: Flag = Field(
        False, description="True when money moves only under a separate contract, not under this agreement."
    )


# ---------------------------------------------------------------- communication, monitoring


class Liaison(_Model):
    """The person who speaks for a party in the partnership."""

    party: Identifier = Field(description="Id of the party.")
    name: Text = Field(description="Full name.")
    title: Text | None = Field(None, description="Job title.")
    email: Text | None = Field(None, description="E-mail address.")
    phone: Text | None = Field(None, description="Telephone number.")


NoticeMethod = Literal[
    "email", "mail", "certified_mail", "registered_mail", "email_with_confirmation", "courier", "hand"
]


class Communication(_Model):
    """How and when the parties communicate, meet and give notice."""

    meeting_cadence: Text | None = Field(None, description="How often the partners meet, e.g. 'quarterly'.")
    governance_body: Text | None = Field(None, description="Name of a joint committee or steering group, if any.")
    liaisons: list[Liaison] = Field(default_factory=list, description="One liaison per party.")
    notice_methods: list[NoticeMethod] = named_default(
        ["email", "mail"],
        "How formal notices may be given; any one of them is enough: email, mail (first-class), certified_mail "
        "(return receipt requested), registered_mail, email_with_confirmation (effective when receipt is "
        "confirmed), courier, hand.",
    )
    mail_receipt_days: Days = named_default(
        3,
        "Business days after mailing after which a notice by certified or registered mail takes effect "
        "(deemed receipt). Notices given otherwise take effect when received; by e-mail with confirmation, "
        "when the confirmation is received.",
        when='"certified_mail" in communication.notice_methods or "registered_mail" in communication.notice_methods',
    )
    notice_copies: list[Identifier] = Field(
        default_factory=list,
        description="Ids of bodies (bodies:) that receive a copy of every notice, at their address or e-mail.",
        examples=[["hhs"]],
    )
    information_sharing: Text | None = Field(None, description="How partners exchange information day to day.")


class Metric(_Model):
    """A shared measure of success."""

    name: Text = Field(description="What is measured.")
    baseline: Text | None = Field(None, description="The value now.")
    target: Text = Field(description="The value to reach.")
    source: Text | None = Field(None, description="Where the figure comes from.")


class Monitoring(_Model):
    """Monitoring, evaluation and reporting."""

    metrics: list[Metric] = Field(default_factory=list, description="Shared metrics with baselines and targets.")
    report_cadence: Text = Field(description="How often progress is reported, e.g. 'quarterly'.")
    report_recipients: list[Identifier] = Field(
        default_factory=list, description="Ids of the parties or bodies (bodies:) that receive reports."
    )
    method: Text | None = Field(None, description="How data is collected and progress tracked.")


# ---------------------------------------------------------------- data, IP, liability


class ResearchUse(_Model):
    """Terms for research use of shared data: how results are published and what researchers may not do."""

    aggregate_only: Flag = named_default(
        True,
        "True: results from the data are published or presented only in aggregate form, never record by record "
        "(clause Aggregate Results Only).",
    )
    # at least 2: every published figure rests on at least one individual, so 0 or 1 would limit nothing
    min_cell_size: Annotated[StrictInt, Field(ge=2)] | None = Field(
        None,
        description="Smallest number of individuals (or, for confidential data, records) a published figure may "
        "rest on; needs aggregate_only.",
        examples=[10],
    )
    no_contact: Flag = named_default(
        True,
        "True: the recipient may not use the data to contact any individual it describes (clause No Contact with "
        "Individuals). Not for mode confidential, whose data describes no individual.",
        when='data_sharing.mode != "confidential"',
    )
    provider_named: Flag = named_default(
        False,
        "False: a publication does not name the provider as the source of the data without its written consent; "
        "true: the recipient may name it (clause Naming the Source of the Data).",
    )


class DataAudit(_Model):
    """The right to inspect how the recipient keeps and uses the data."""

    by: list[Identifier] = Field(
        min_length=1, description="Ids of the parties that may inspect (usually the provider).", examples=[["district"]]
    )
    notice_days: Days = named_default(
        10, "Days of written notice an inspecting party gives before an inspection (clause Inspection and Audit)."
    )


class Hipaa(_Model):
    """HIPAA terms, for protected health information a covered entity discloses (mode personal)."""

    covered_entity: Identifier = Field(
        description="Id of the party that is a HIPAA covered entity and discloses the protected health information; "
        "when data_sharing.provider is given, the same party.",
        examples=["hospital"],
    )
    business_associate: Identifier | None = Field(
        None,
        description="Id of the party that handles the information on the covered entity's behalf as its business "
        "associate (45 CFR 160.103); the draft then states the business-associate terms of 45 CFR 164.504(e). "
        "Absent when the recipient is not a business associate (for example it receives the information under the "
        "patient's authorization).",
        examples=["billing_service"],
    )
    minimum_necessary: Flag = named_default(
        True,
        "True: only the minimum protected health information necessary for the permitted uses is disclosed, "
        "requested and used (clause Minimum Necessary).",
    )
    subcontractors: Flag = named_default(
        True,
        "True: the business associate binds each subcontractor that handles the information to the same terms "
        "(45 CFR 164.502(e)(1)(ii)); one of the business-associate terms.",
        when="data_sharing.hipaa.business_associate",
    )


class DataSharing(_Model):
    """Exchange of data between the parties."""

    mode: Literal["none", "de_identified", "personal", "confidential"] = Field(
        description="none; de_identified data only; personal data under a legal basis; or confidential business "
        "or aggregate data that is not about individuals (confidentiality terms, no privacy-law terms)."
    )
    provider: Identifier | None = Field(None, description="Id of the party that discloses the data.")
    recipient: Identifier | None = Field(None, description="Id of the party that receives the data.")
    legal_basis: Text | None = Field(
        None, description="Legal basis of the disclosure, e.g. the FERPA studies exception, 34 CFR 99.31(a)(6)."
    )
    elements: list[Text] = Field(default_factory=list, description="The data elements shared.")
    permitted_uses: list[Text] = Field(default_factory=list, description="The only uses the recipient may make.")
    security: Text | None = Field(None, description="How the data is transferred and stored securely.")
    de_identification: Text | None = Field(None, description="The de-identification standard applied.")
    retention: Text | None = Field(None, description="How long the data is kept.")
    destruction_days: Days | None = Field(
        None,
        description="Days within which the data is destroyed or returned, counted from the event retention_basis "
        "names (by default the end of the agreement).",
    )
    retention_basis: Literal["agreement_end", "project_end", "no_longer_needed"] = named_default(
        "agreement_end",
        "What destruction_days runs from: agreement_end (the agreement ends); project_end (the project the data "
        "serves, agreement.program, ends); or no_longer_needed (the data is no longer needed for the agreement's "
        "purposes, or the agreement ends, whichever is earlier).",
        when='data_sharing.mode != "none" and data_sharing.destruction_days',
    )
    disposition: Literal["either", "return", "destroy"] = named_default(
        "either",
        "What the recipient does with the data at the end: either (destroy or return it), return (to the provider, "
        "keeping no copy) or destroy (with every copy).",
        when='data_sharing.mode != "none" and data_sharing.destruction_days',
    )
    certificate_days: Days | None = Field(
        None,
        description="Days after the return or destruction within which the recipient gives the provider a written "
        "certificate of it; absent, the recipient confirms it in writing. Needs destruction_days.",
        examples=[10],
    )
    named_staff: list[Text] = Field(default_factory=list, description="Staff authorised to access the data.")
    ethics_approval: Text | None = Field(None, description="Ethics board (IRB) approval, if research.")
    publication_review_days: Days | None = Field(
        None, description="Days the provider has to review a publication before release."
    )
    research: ResearchUse | None = Field(
        None,
        description="Research use of the data: aggregate-only publication, no contact with individuals, naming the "
        "provider. Give it (even empty, research: {}) when the recipient publishes research from the data.",
    )
    redisclosure_prohibited: Flag = named_default(
        True, "True: the recipient may not re-disclose the data.", when='data_sharing.mode != "none"'
    )
    onward_transfer: Literal["prohibited", "same_terms"] = named_default(
        "prohibited",
        "prohibited: the recipient discloses the data to no one without the provider's written consent; same_terms: "
        "and even with consent only to a person who agrees in writing to the same restrictions (clause No "
        "Re-disclosure). Needs redisclosure_prohibited.",
        when='data_sharing.mode != "none" and data_sharing.redisclosure_prohibited',
    )
    audit: DataAudit | None = Field(
        None, description="Who may inspect the recipient's handling of the data, and on how many days' notice."
    )
    hipaa: Hipaa | None = Field(
        None,
        description="HIPAA terms (mode personal, profile health_data): the covered entity, a business associate, "
        "minimum necessary, subcontractor flow-down.",
    )
    reidentification_prohibited: Flag = named_default(
        True,
        "True: no Party may try to re-identify an individual in de-identified data (mode de_identified).",
        when='data_sharing.mode == "de_identified"',
    )
    breach_notice_days: Days | None = named_default(
        5,
        "Business days within which the recipient notifies the provider of unauthorised access to or disclosure "
        "of personal data, counted from discovery; null for no breach-notice clause.",
        when='data_sharing.mode == "personal"',
    )
    breach_notice_to: list[Identifier] = Field(
        default_factory=list,
        description="For the breach notice (mode personal): ids of the parties the recipient notifies of a breach; "
        "empty: the provider.",
        examples=[["district", "county"]],
    )


LicenseSubject = Literal["trademark", "data", "work_product", "other"]


class License(_Model):
    """A licence one party grants to one or more others."""

    licensor: Identifier = Field(description="Id of the party that grants the licence.", examples=["library"])
    licensees: list[Identifier] = Field(
        default_factory=list,
        description="Ids of the parties that receive it; empty: every other party.",
        examples=[["district"]],
    )
    subject: LicenseSubject = Field(
        description="What is licensed: trademark (the licensor's names and logos), data (the data it provides), "
        "work_product (work product it owns), or other (say what in description).",
        examples=["trademark"],
    )
    description: Text | None = Field(
        None,
        description="What exactly is licensed, in words ('the Read Together logo'); replaces the standard words for "
        "the subject; needed for subject other.",
    )
    purpose: Text | None = Field(
        None, description="What the licensee may use it for, as a phrase after 'solely to' ('promote the program').",
        examples=["promote the summer reading program"],
    )
    term: Literal["agreement", "perpetual"] | None = Field(
        None, description="How long it lasts: agreement (while the agreement is in effect) or perpetual; "
        "absent: the draft states no duration.",
    )
    royalty_free: Flag | None = Field(None, description="True: royalty-free; false: the draft says nothing of royalties.")
    exclusive: Flag | None = Field(
        None, description="True: exclusive; false: non-exclusive; absent: the draft does not say."
    )
    revocable: Flag | None = Field(
        None, description="True: the licensor may revoke it by written notice; false: irrevocable; absent: not stated."
    )


class IntellectualProperty(_Model):
    """Ownership of work product and data."""

    ownership: Literal["each_own", "joint", "lead_owns"] = named_default(
        "each_own", "Who owns what the partnership creates: each_own, joint, or lead_owns (one party owns it)."
    )
    owner: Identifier | None = named_default(
        None,
        "For lead_owns: id of the party that owns the work product; when absent, the party whose role is lead.",
        when='intellectual_property.ownership == "lead_owns"',
        shows="party[ip_owner].short_name if ip_owner else none",
    )
    license: Text | None = Field(None, description="Licence each party grants the other.")
    licenses: list[License] = Field(
        default_factory=list,
        description="One-party licences: who grants whom a licence to what (a trademark, data, work product).",
    )


class Publicity(_Model):
    """Use of the parties' names and logos."""

    mode: Literal["consent", "limited_license", "attribution"] = named_default(
        "consent", "consent: no use without written consent; limited_license to use marks; required attribution."
    )
    attribution: Text | None = Field(None, description="Required attribution line, for mode attribution.")


InsuranceType = Literal[
    "general_liability", "professional", "cyber", "auto", "workers_compensation", "abuse_molestation", "other"
]


class Insurance(_Model):
    """Insurance a party must carry."""

    party: Identifier = Field(description="Id of the party that carries it.")
    type: InsuranceType | None = Field(
        None,
        description="Kind of policy: general_liability, professional, cyber, auto, workers_compensation, "
        "abuse_molestation, or other (say what in coverage).",
        examples=["general_liability"],
    )
    coverage: Text | None = Field(
        None,
        description="Kind of coverage in words, e.g. 'general liability'; needed when type is absent or other, "
        "else added to the type's name as detail.",
    )
    amount: Money = Field(description="Minimum limit per occurrence.")
    aggregate: Money | None = Field(None, description="Minimum aggregate limit, if the parties set one.")
    currency: Currency | None = Field(None, description="Currency; defaults to financial.currency or USD.")


IndemnityScope = Literal["negligence", "breach", "data_breach", "infringement", "willful_misconduct"]
CarveOut = Literal[
    "confidentiality", "indemnity", "data_breach", "gross_negligence", "willful_misconduct", "bodily_injury"
]
RepresentationSubject = Literal["authority", "data_rights", "compliance_with_law", "no_debarment"]


class Indemnity(_Model):
    """One directed indemnity: who indemnifies whom, against what."""

    indemnitor: Identifier = Field(description="Id of the party that indemnifies.", examples=["provider"])
    indemnitees: list[Identifier] = Field(
        default_factory=list, description="Ids of the parties indemnified; empty: every other party."
    )
    scope: list[IndemnityScope] = Field(
        min_length=1,
        description="Claims covered, arising from the indemnitor's: negligence (negligent or wrongful acts), breach "
        "(of the agreement), data_breach (unauthorised access to or disclosure of data in its custody), "
        "infringement (of intellectual property by what it provides), willful_misconduct.",
        examples=[["negligence", "data_breach"]],
    )
    defend: Flag = Field(False, description="True: the indemnitor also defends the indemnitees (pays for the defence).")


class Representation(_Model):
    """Statements of fact a party makes on signing."""

    party: Identifier = Field(
        description="Id of the party that makes them, or 'each' for every party.", examples=["each"]
    )
    subjects: list[RepresentationSubject] = Field(
        min_length=1,
        description="What it represents: authority (to enter into and carry out the agreement), data_rights (the "
        "right to share the data it provides), compliance_with_law, no_debarment (not debarred or suspended "
        "from public funding).",
        examples=[["authority", "no_debarment"]],
    )


class IndemnityProcedure(_Model):
    """How a claim for indemnity is handled."""

    notice_days: Days | None = Field(
        None, description="Days after receiving a claim within which the indemnified party notifies the indemnitor; "
        "absent: promptly."
    )
    control: Literal["indemnitor", "indemnified"] = Field(
        description="Who controls the defence of a claim: the indemnitor (with counsel of its choice) or the "
        "indemnified party.",
    )
    settlement_consent: Flag = named_default(
        True,
        "True: no party settles a claim that admits another's fault or binds it without its written consent (the "
        "draft says so); false: the draft is silent.",
        when="liability.indemnity_procedure",
    )


class Liability(_Model):
    """Who answers for losses."""

    mode: Literal["own_acts", "mutual_indemnity", "one_way", "listed"] = named_default(
        "own_acts",
        "Each party responsible for its own acts; mutual indemnity; one-way indemnity (indemnitor, indemnitee); or "
        "listed: only the indemnities in indemnities. With mutual_indemnity or one_way, indemnities adds to them.",
    )
    defend: Flag = named_default(
        False,
        "True: an indemnifying party also defends the other against the claims it indemnifies (pays for the "
        "defence), not only indemnifies and holds harmless.",
        when='liability.mode in ["mutual_indemnity", "one_way"]',
    )
    indemnitor: Identifier | None = Field(None, description="For one_way: the party that indemnifies.")
    indemnitee: Identifier | None = Field(None, description="For one_way: the party indemnified.")
    indemnities: list[Indemnity] = Field(
        default_factory=list,
        description="Directed indemnities (who indemnifies whom, against what); mode listed, or in addition to "
        "mutual_indemnity or one_way.",
    )
    indemnity_procedure: IndemnityProcedure | None = Field(
        None, description="Notice of claims, control of the defence and settlement, for an indemnity."
    )
    cap: Money | None = Field(None, description="Cap on liability, if any.")
    cap_carve_outs: list[CarveOut] = Field(
        default_factory=list,
        description="Liability the cap does not limit: confidentiality (breach of it), indemnity (obligations), "
        "data_breach, gross_negligence, willful_misconduct, bodily_injury (or death).",
        examples=[["indemnity", "data_breach"]],
    )
    exclude_consequential: Flag = Field(
        False, description="True: no party is liable for indirect, incidental, special or consequential damages."
    )
    consequential_carve_outs: list[CarveOut] = Field(
        default_factory=list,
        description="Liability the exclusion of consequential damages does not reach (same kinds as cap_carve_outs).",
    )
    warranty_disclaimer: Flag = Field(
        False, description="True: no party warrants what it provides, beyond what the agreement states."
    )
    representations: list[Representation] = Field(
        default_factory=list, description="Representations a party (or each party) makes on signing."
    )
    insurance: list[Insurance] = Field(default_factory=list, description="Insurance minimums.")

    @model_validator(mode="after")
    def _one_way_names_both(self) -> "Liability":
        if self.mode == "one_way" and (self.indemnitor is None or self.indemnitee is None):
            raise PydanticCustomError("one_way", "a one_way indemnity needs both indemnitor and indemnitee")
        return self


# ---------------------------------------------------------------- disputes, term, termination


StepKind = Literal["negotiation", "executives", "mediation", "arbitration", "courts"]


class ResolutionStep(_Model):
    """One rung of the conflict-resolution ladder."""

    kind: StepKind = Field(description="negotiation, executives, mediation, arbitration or courts.")
    days: Days | None = Field(None, description="Days allowed for this step before the next one may start.")
    description: Text | None = Field(None, description="Who takes part and how, if more than the standard text.")


class ConflictResolution(_Model):
    """How the parties resolve disputes: an ordered ladder of steps."""

    steps: list[ResolutionStep] = Field(min_length=1, description="The steps, in the order they are taken.")
    venue: Text | None = Field(None, description="City or court where mediation, arbitration or suit takes place.")
    costs: Literal["each_own", "shared", "prevailing_party"] = named_default(
        "each_own",
        "Who bears the costs of resolving a dispute: each_own; shared (the mediator's or arbitrator's fees "
        "split equally; needs a mediation or arbitration step); or prevailing_party.",
    )
    injunctive_relief: Flag = named_default(
        True, "True: a party may still seek an injunction from a court to stop irreparable harm."
    )
    continue_performance: Flag = named_default(
        True, "True: the parties keep performing their obligations while a dispute is being resolved."
    )


class Term(_Model):
    """When the agreement starts and ends, and how it renews."""

    effective: Literal["on_signature", "last_signature", "fixed_date"] = named_default(
        "last_signature",
        "When it takes effect (the Effective Date): on_signature (the date the Parties sign it), "
        "last_signature (the date of the last signature) or fixed_date (term.start).",
    )
    start: IsoDate | None = Field(None, description="Effective date, for 'fixed_date'.")
    end: IsoDate | None = Field(None, description="Expiry date; none for an evergreen agreement.")
    renewal: Literal["none", "mutual_writing", "automatic", "evergreen"] = named_default(
        "none", "How the agreement renews: none, mutual_writing, automatic, or evergreen (no end date)."
    )
    renewal_months: Months | None = Field(None, description="Length of each renewal period, in months.")
    performance_start: IsoDate | None = Field(
        None,
        description="First day of the period of performance (the work), when it differs from the Effective "
        "Date; not before term.start.",
        examples=["2027-07-01"],
    )
    performance_end: IsoDate | None = Field(
        None,
        description="Last day of the period of performance; not after term.end, which may leave time after it "
        "for final reports and payments.",
        examples=["2028-06-30"],
    )
    nonrenewal_notice_days: Days = named_default(
        60,
        "For automatic renewal: days before the end of a period by which a party must give notice of non-renewal.",
        when='term.renewal == "automatic"',
    )


class ConvenienceRight(_Model):
    """A party's right to terminate for convenience."""

    party: Identifier = Field(description="Id of the party that may terminate, or 'any' for every party.", examples=["city"])
    notice_days: Days = Field(description="Days of written notice it gives.", examples=[90])


TriggerEvent = Literal["loss_of_funding", "loss_of_license", "attempted_assignment", "insolvency", "change_of_law", "other"]


class TerminationTrigger(_Model):
    """An event on which a party may terminate."""

    event: TriggerEvent = Field(
        description="loss_of_funding, loss_of_license, attempted_assignment (without consent), insolvency, "
        "change_of_law (making performance unlawful), or other (say what in description).",
        examples=["loss_of_funding"],
    )
    affects: Identifier | None = Field(
        None,
        description="Id of the party the event happens to (whose funding, licence, ...); absent: any other party "
        "than the one terminating. Not for change_of_law or other.",
    )
    description: Text | None = Field(
        None, description="For event other: the event, as a clause after 'if' ('the State ends the program')."
    )
    party: Identifier = Field(
        description="Id of the party that may terminate, or 'any' (every party; with affects, every other party).",
        examples=["any"],
    )
    notice_days: Days | None = Field(None, description="Days of written notice; absent: immediately on written notice.")


class Termination(_Model):
    """How the agreement can end, and what follows."""

    convenience_days: Days | None = Field(
        None, description="Days of written notice for any party to terminate for convenience (or use convenience)."
    )
    convenience: list[ConvenienceRight] = Field(
        default_factory=list,
        description="Who may terminate for convenience, each with its own notice period; instead of convenience_days.",
    )
    for_cause: Literal["none", "immediate", "cure"] = named_default(
        "cure", "Termination for cause: none, immediate, or after a cure period."
    )
    cure_days: Days = named_default(30, "Days to cure a breach, for 'cure'.", when='termination.for_cause == "cure"')
    mutual: Flag = named_default(True, "True: the parties may end it at any time by mutual written agreement.")
    at_end_date: Flag = Field(
        True,
        description="Kept for older specs: the agreement ends on term.end, as the term clause says. "
        "false is refused, because the term section decides when the agreement ends (use term.renewal).",
    )
    data_return_days: Days | None = Field(
        None,
        description="Days after termination to return or destroy another party's data or confidential information. "
        "When personal data is shared, data_sharing.destruction_days governs it and this must be absent or equal.",
    )
    triggers: list[TerminationTrigger] = Field(
        default_factory=list, description="Events on which a party may terminate (loss of funding, of a licence, ...)."
    )
    on_cause: list[Text] = Field(
        default_factory=list,
        description="What follows only a termination for cause (under for_cause), one full sentence each, e.g. "
        "'The Recipient shall purge all shared data within ten (10) days.'",
    )
    on_convenience: list[Text] = Field(
        default_factory=list, description="What follows only a termination for convenience, one full sentence each."
    )
    asset_transfer: Text | None = Field(None, description="What happens to equipment or assets bought with joint funds.")
    survival: list[Text] = Field(
        default_factory=list, description="Obligations that survive termination, e.g. 'confidentiality'."
    )


class Amendment(_Model):
    """How the agreement is changed and reviewed."""

    in_writing: Flag = named_default(True, "True: amendments must be in writing and signed by all parties.")
    review_cadence: Text | None = Field(None, description="How often the parties review the agreement, e.g. 'annually'.")
    review_process: Text | None = Field(None, description="How the review is carried out.")


BindingSection = Literal[
    "financial", "data_sharing", "intellectual_property", "publicity", "liability", "conflict_resolution",
    "legal_status", "general_provisions",
]


class LegalStatus(_Model):
    """Binding force, governing law and authority."""

    binding: Flag = Field(description="True: a binding agreement. False: a statement of intent with no financial obligation.")
    governing_law: Text | None = Field(None, description="Law that governs, e.g. 'the State of Ohio'.")
    binding_sections: list[BindingSection] = named_default(
        ["data_sharing", "publicity", "liability", "legal_status", "general_provisions"],
        "For a non-binding instrument: the sections that bind the Parties all the same (their duties say "
        "'shall'; the rest say 'will'). Sections the draft does not have are ignored.",
        when="legal and not legal.binding",
    )
    authority: list[Text] = Field(
        default_factory=list, description="Statutes, regulations or grants that authorise the parties to enter it."
    )


class Signatory(_Model):
    """A person who signs for a party."""

    party: Identifier = Field(description="Id of the party signed for.")
    name: Text = Field(description="Full name.")
    title: Text | None = Field(None, description="Title, e.g. 'Superintendent'.")
    authority: Text | None = Field(None, description="Authority to sign, e.g. 'Board resolution 2026-14'.")
    date: IsoDate | None = Field(None, description="Date signed, if already known (YYYY-MM-DD).")


class AssignmentException(_Model):
    """An assignment a party may make without the other parties' consent."""

    party: Identifier = Field(description="Id of the party that may assign, or 'any'.", examples=["district"])
    to: Literal["successor", "affiliate", "other"] = Field(
        description="successor (by merger, reorganisation or operation of law), affiliate (an entity it controls, "
        "is controlled by or is under common control with), or other (say to whom in description).",
    )
    description: Text | None = Field(None, description="For to other: to whom ('the State Department of Education').")


PrecedenceTier = Literal["agreement", "exhibits", "incorporated_documents"]


class GeneralProvisions(_Model):
    """Boilerplate general provisions; each can be left out by setting it to false."""

    entire_agreement: Flag = named_default(True, "Include the entire-agreement clause. Set to false to leave it out.")
    severability: Flag = named_default(True, "Include the severability clause. Set to false to leave it out.")
    waiver: Flag = named_default(True, "Include the no-waiver clause. Set to false to leave it out.")
    assignment: Flag = named_default(True, "Include the no-assignment clause. Set to false to leave it out.")
    assignment_exceptions: list[AssignmentException] = Field(
        default_factory=list,
        description="Assignments a party may make without the others' consent (to a successor, an affiliate, ...).",
    )
    counterparts: Flag = named_default(True, "Allow signing in counterparts. Set to false to leave it out.")
    electronic_signatures: Flag = named_default(True, "Allow electronic signatures. Set to false to leave it out.")
    independent_parties: Flag = named_default(True, "State that the parties remain independent. Set to false to leave it out.")
    precedence: list[PrecedenceTier] = named_default(
        ["agreement", "exhibits", "incorporated_documents"],
        "Which governs when the body of the agreement, its exhibits and the documents incorporated by reference "
        "conflict, first to last: each of agreement, exhibits and incorporated_documents once. Parts the spec "
        "does not have are left out of the clause (clause Order of Precedence).",
        when="exhibits or incorporated_documents",
    )


class HeadStartCoordination(_Model):
    """The coordination topics of the Head Start Act, section 642(e)(5)(A)."""

    educational_activities: Text | None = Field(None, description="Educational activities, curricular objectives and instruction.")
    public_information: Text | None = Field(None, description="Public information dissemination and access to programs for families.")
    selection_priorities: Text | None = Field(None, description="Selection priorities for eligible children.")
    service_areas: Text | None = Field(None, description="Service areas.")
    staff_training: Text | None = Field(None, description="Staff training, including opportunities for joint training.")
    technical_assistance: Text | None = Field(None, description="Program technical assistance.")
    working_parents: Text | None = Field(None, description="Provision of services to meet the needs of working parents.")
    transition_to_kindergarten: Text | None = Field(
        None, description="Communications and parent outreach for smooth transitions to kindergarten."
    )
    facilities_transportation: Text | None = Field(
        None, description="Provision and use of facilities, transportation and other program elements."
    )
    other_elements: Text | None = Field(None, description="Other elements the parties agree on.")


class Exhibit(_Model):
    """A document attached to the agreement as Exhibit A, B, ... (lettered in the order listed)."""

    id: Identifier = Field(
        description="Id that text refers to with [[exhibit.ID]], which the draft prints as 'Exhibit A (Title)'.",
        examples=["budget"],
    )
    title: Text = Field(description="Title printed under the exhibit's letter.", examples=["Project Budget"])
    text: Text | None = Field(
        None,
        description="The exhibit's content, in the clause markup (paragraphs, lists, emphasis, [[references]]) "
        "and pipe tables ('| Item | Amount |' lines). Give text or file, not both.",
    )
    file: Text | None = Field(
        None,
        description="A .md file (the same markup as text) or a .docx file (its paragraphs and tables) holding the "
        "exhibit, as a path relative to the spec file's folder. Give text or file, not both.",
        examples=["exhibits/security-plan.md"],
    )


class IncorporatedDocument(_Model):
    """A document that is part of the agreement by reference, without being attached."""

    title: Text = Field(description="The document's title, as it is known.", examples=["IRB Approval Letter"])
    date: IsoDate | None = Field(None, description="The document's date or the date of its version (YYYY-MM-DD).")
    issuer: Text | None = Field(None, description="Who issued it, e.g. 'the U.S. Department of Education'.")
    reference: Text | None = Field(
        None, description="Its number or where to find it, e.g. 'Protocol 2026-0412' or a URL."
    )
    description: Text | None = Field(None, description="What it covers, if the title does not say.")


class AddedClause(_Model):
    """A clause written in the spec itself. Its text is used literally (never as a template)."""

    id: Identifier = Field(description="Id of the clause, unique in the document.")
    section: Identifier = Field(description="Key of the section it goes in, e.g. 'general_provisions'.")
    title: Text = Field(description="Heading of the clause.")
    text: Text = Field(description="The clause text, in the clause markup (paragraphs, lists, emphasis).")


class OverrideBase(_Model):
    """What a clause override was made against: the library clause, and its text in the draft then."""

    version: Text = Field(description="Version of the library clause the override replaced, e.g. '1.2.0'.",
                          examples=["1.2.0"])
    sha256: Text = Field(description="Hash of the library clause's text (as the lock file records it).")
    text_sha256: Text = Field(
        description="Hash of the clause as the draft showed it (the library text filled in with the spec's values "
        "then): when the spec's values change what the library clause would say, the override is reported stale."
    )


class ClauseOverride(_Model):
    """A library clause replaced by your own words, e.g. a reviewer's edits adopted with `mou-build review-edits --adopt`.

    The text is used literally (never as a template): a value in it (an
    amount, a date, a party's name) no longer follows the spec. `mou-build
    check` reports `override-stale` when the library clause or the values it
    shows changed after the override was made.
    """

    id: Text = Field(description="Id of the library clause it replaces, e.g. 'financial.billing'.",
                     examples=["financial.billing"])
    title: Text | None = Field(None, description="Heading of the clause [default: the library clause's heading].")
    text: Text = Field(description="The clause text, in the clause markup (paragraphs, lists, emphasis).")
    based_on: OverrideBase = Field(description="The library clause and draft text the override was made against.")
    source: Text | None = Field(None, description="Where the words came from, e.g. 'draft2-returned.docx'.")


class ClauseChoices(_Model):
    """Choices about which clauses of the library to use."""

    pin: list[Text] = Field(
        default_factory=list,
        description="Clause ids to use whatever the spec implies ('termination.cause-immediate'), "
        "optionally with the exact version required ('termination.cause-immediate@1.0.0').",
    )
    exclude: list[Text] = Field(default_factory=list, description="Clause ids to leave out.")
    add: list[AddedClause] = Field(default_factory=list, description="Clauses written in the spec.")
    override: list[ClauseOverride] = Field(
        default_factory=list, description="Library clauses replaced by your own words (see `review-edits --adopt`)."
    )


# ---------------------------------------------------------------- the spec


class Spec(_Model):
    """A partnership agreement, as a program officer describes it."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        title="mou-builder agreement spec",
        json_schema_extra={"$id": SCHEMA_ID},
    )

    agreement: Agreement = Field(description="What the document is: title, number, profile, draft and date.")
    parties: list[Party] = Field(min_length=2, description="The parties, two or more.")
    bodies: list[Body] = Field(
        default_factory=list,
        description="Funders, committees, researchers and other bodies the agreement names without making "
        "them parties: they may be consulted or informed, receive reports and copies of notices.",
    )
    recitals: list[Text] = Field(default_factory=list, description="Background ('Whereas ...') statements.")
    purpose: Purpose | None = Field(None, description="Why the parties enter into the agreement.")
    shared_vision: SharedVision | None = Field(None, description="Shared vision and goals.")
    scope: Scope | None = Field(None, description="Scope of activities.")
    responsibilities: list[Responsibility] = Field(default_factory=list, description="Who does what: a RACI matrix.")
    head_start: HeadStartCoordination | None = Field(
        None, description="Head Start coordination topics (profile head_start)."
    )
    financial: Financial | None = Field(None, description="Financial obligations.")
    communication: Communication | None = Field(None, description="Communication, meetings and notices.")
    monitoring: Monitoring | None = Field(None, description="Monitoring, evaluation and reporting.")
    data_sharing: DataSharing | None = Field(None, description="Data sharing, confidentiality and privacy.")
    intellectual_property: IntellectualProperty | None = Field(None, description="Intellectual property.")
    publicity: Publicity | None = Field(None, description="Publicity, names and logos.")
    liability: Liability | None = Field(None, description="Liability, indemnification and insurance.")
    conflict_resolution: ConflictResolution | None = Field(None, description="Conflict-resolution process.")
    term: Term | None = Field(None, description="Term, effective date and renewal.")
    amendment: Amendment | None = Field(None, description="Amendment and review.")
    termination: Termination | None = Field(None, description="Termination.")
    legal: LegalStatus | None = Field(None, description="Legal status, governing law and authority.")
    signatories: list[Signatory] = Field(default_factory=list, description="Who signs for each party.")
    general_provisions: GeneralProvisions = Field(
        # model_construct: the defaults as they are (as GeneralProvisions() would give them), without
        # building a validator for the class only to check values that need no checking.
        default_factory=GeneralProvisions.model_construct, description="General provisions (boilerplate)."
    )
    clauses: ClauseChoices = Field(default_factory=ClauseChoices.model_construct,
                                   description="Clause choices: pin, exclude, add, override.")
    exhibits: list[Exhibit] = Field(
        default_factory=list,
        description="Exhibits attached after the signature page, lettered A, B, ... in this order. Text anywhere "
        "in the spec refers to one with [[exhibit.ID]].",
    )
    incorporated_documents: list[IncorporatedDocument] = Field(
        default_factory=list,
        description="Documents incorporated by reference (a grant award, program standards, a policy), listed in "
        "the clause Incorporated Documents.",
    )

    # Where each value came from in the spec file; set by the loader.
    _source: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> "Spec":
        problems = list(_consistency_problems(self))
        if problems:
            raise ValidationError.from_exception_data(
                "Spec",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("consistency", message),  # type: ignore[arg-type]
                        loc=loc,
                        input=value,
                    )
                    for loc, message, value in problems
                ],
            )
        return self

    def party(self, party_id: str) -> Party:
        """Return the party with id ``party_id``."""
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    @property
    def source(self) -> Any:
        """The :class:`~mou_builder.spec.loader.SourceMap` of the file the spec came from, or None."""
        return self._source


Loc = tuple[str | int, ...]

#: Data-sharing fields that mean nothing when no data is exchanged, so mode 'none' may keep them.
_MODE_NEUTRAL = frozenset({"redisclosure_prohibited", "reidentification_prohibited", "breach_notice_days"})


def _given(model: BaseModel, name: str) -> bool:
    """True when the spec gives ``name`` a value other than its default.

    A field left at its default, or written out with the default value (as
    ``model_dump()`` does), asks nothing of the draft, so it is never refused.
    """
    info = type(model).model_fields[name]
    return name in model.model_fields_set and getattr(model, name) != info.get_default(call_default_factory=True)


def _shown(value: Any) -> str:
    """A value as a message quotes it: text shortened, lists as lists."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _consistency_problems(spec: Spec) -> Any:
    """Yield (location, message, value) for every rule the spec breaks.

    These are the rules a JSON Schema cannot express: references between
    sections, and orderings between fields.
    """
    ids = [p.id for p in spec.parties]
    seen: set[str] = set()
    for i, pid in enumerate(ids):
        if pid in seen:
            yield ("parties", i, "id"), f"duplicate party id {pid!r}: each party needs its own id", pid
        seen.add(pid)
    known = set(ids)
    known_list = ", ".join(ids)
    body_ids = {b.id for b in spec.bodies}
    body_list = ", ".join(b.id for b in spec.bodies)

    def ref(loc: Loc, value: str | None, bodies_ok: bool = False) -> Any:
        # Bodies sign nothing, so they may be told and asked, never bound: only some fields take their ids.
        if value is None or value in known or (bodies_ok and value in body_ids):
            return
        if value in body_ids:
            yield loc, (
                f"{value!r} is a body, not a party: a body does not sign the agreement and cannot be bound by it "
                f"here; name a party (parties: {known_list}), or consult or inform the body"
            ), value
        elif bodies_ok and body_ids:
            yield loc, f"no party or body has the id {value!r} (parties: {known_list}; bodies: {body_list})", value
        else:
            yield loc, f"no party has the id {value!r} (parties: {known_list})", value

    for i, r in enumerate(spec.responsibilities):
        base: Loc = ("responsibilities", i)
        yield from ref((*base, "accountable"), r.accountable)
        for role in ("responsible", "consulted", "informed"):
            for j, pid in enumerate(getattr(r, role)):
                yield from ref((*base, role, j), pid, bodies_ok=role != "responsible")
        for j, pid in enumerate(r.consulted):
            if pid in r.informed:
                yield (*base, "consulted", j), f"party {pid!r} is both consulted and informed; give it one role", pid
    if spec.financial:
        fin = spec.financial
        yield from ref(("financial", "fiscal_agent"), fin.fiscal_agent)
        for i, c in enumerate(fin.contributions):
            base = ("financial", "contributions", i)
            yield from ref((*base, "payer"), c.payer)
            yield from ref((*base, "payee"), c.payee)
            if c.payer == c.payee:
                yield (*base, "payee"), f"payer and payee are the same party {c.payee!r}", c.payee
            if c.kind == "cash" and c.amount is None and not _open_amount(c) and c.basis != "rate":
                yield (*base, "amount"), (
                    "a cash contribution needs an amount (or not_to_exceed, amount_set_by, or basis rate with a rate)"
                ), None
            if c.basis == "reimbursement" and c.reimbursement_percent is None:
                yield (*base, "reimbursement_percent"), "basis 'reimbursement' needs reimbursement_percent", None
            if c.basis != "reimbursement" and c.reimbursement_percent is not None:
                yield (*base, "reimbursement_percent"), (
                    f"reimbursement_percent applies to basis 'reimbursement', not {c.basis!r}, "
                    f"got {_number(c.reimbursement_percent)}"
                ), str(c.reimbursement_percent)
            if _known(c.cap) and _known(c.amount) and c.amount > c.cap:
                yield (*base, "amount"), f"amount {c.amount} is above the cap {c.cap}", str(c.amount)
        if fin.no_cost and any(c.kind == "cash" for c in fin.contributions):
            yield ("financial", "no_cost"), "no_cost is true but there are cash contributions", True
    if spec.communication:
        for i, liaison in enumerate(spec.communication.liaisons):
            yield from ref(("communication", "liaisons", i, "party"), liaison.party)
    if spec.monitoring:
        for i, pid in enumerate(spec.monitoring.report_recipients):
            yield from ref(("monitoring", "report_recipients", i), pid, bodies_ok=True)
    if spec.data_sharing:
        ds = spec.data_sharing
        yield from ref(("data_sharing", "provider"), ds.provider)
        yield from ref(("data_sharing", "recipient"), ds.recipient)
        # Every field that validates must reach the draft: a field the chosen mode
        # has no place for is refused, with the reason.
        if ds.mode == "none":
            for name in sorted(n for n in type(ds).model_fields if n not in {"mode", *_MODE_NEUTRAL} and _given(ds, n)):
                yield ("data_sharing", name), (
                    f"mode 'none' exchanges no data, so {name} has no place in the agreement; "
                    f"remove it or choose mode de_identified, personal or confidential, got {_shown(getattr(ds, name))}"
                ), getattr(ds, name)
        if ds.mode == "personal" and ds.de_identification is not None:
            yield ("data_sharing", "de_identification"), (
                "de_identification applies to mode de_identified; personal data is shared identified "
                f"(remove it, or choose mode de_identified), got {_shown(ds.de_identification)}"
            ), ds.de_identification
    if spec.liability:
        yield from ref(("liability", "indemnitor"), spec.liability.indemnitor)
        yield from ref(("liability", "indemnitee"), spec.liability.indemnitee)
        for i, ins in enumerate(spec.liability.insurance):
            yield from ref(("liability", "insurance", i, "party"), ins.party)
    if spec.conflict_resolution:
        cr = spec.conflict_resolution
        forum = any(step.kind in ("mediation", "arbitration", "courts") for step in cr.steps)
        if cr.venue is not None and not forum and spec.legal is not None and not spec.legal.binding:
            yield ("conflict_resolution", "venue"), (
                "a venue is where mediation, arbitration or suit takes place, but this non-binding instrument has "
                f"none of them: add the step, or remove venue, got {_shown(cr.venue)}"
            ), cr.venue
        if cr.costs == "shared" and not any(step.kind in ("mediation", "arbitration") for step in cr.steps):
            yield ("conflict_resolution", "costs"), (
                "'shared' splits a mediator's or arbitrator's fees, but no step is mediation or arbitration; "
                "choose each_own or prevailing_party, or add the step, got 'shared'"
            ), cr.costs
    if spec.term:
        t = spec.term
        if _known(t.start) and _known(t.end) and t.end <= t.start:
            yield ("term", "end"), f"end date {t.end.isoformat()} is not after start date {t.start.isoformat()}", t.end.isoformat()
        if t.effective == "fixed_date" and t.start is None:
            yield ("term", "start"), "effective 'fixed_date' needs a start date", None
        if t.renewal == "evergreen" and t.end is not None:
            yield ("term", "end"), "an evergreen agreement has no end date; remove end or change renewal", str(t.end)
        if t.start is not None and t.effective != "fixed_date":
            yield ("term", "start"), (
                f"start is used only when effective is 'fixed_date' (here {t.effective!r}): "
                f"set effective: fixed_date, or remove start, got {t.start}"
            ), str(t.start)
        if t.renewal_months is not None and t.renewal not in ("mutual_writing", "automatic"):
            yield ("term", "renewal_months"), (
                f"renewal_months applies to renewal mutual_writing or automatic, not {t.renewal!r}, "
                f"got {t.renewal_months}"
            ), t.renewal_months
        if _given(t, "nonrenewal_notice_days") and t.renewal != "automatic":
            yield ("term", "nonrenewal_notice_days"), (
                f"nonrenewal_notice_days applies to renewal 'automatic', not {t.renewal!r}, "
                f"got {t.nonrenewal_notice_days}"
            ), t.nonrenewal_notice_days
    if spec.termination:
        tm = spec.termination
        if not tm.at_end_date:
            yield ("termination", "at_end_date"), (
                "the agreement ends on term.end, as its term clause says; to continue it past that date "
                "choose term.renewal, and remove at_end_date, got false"
            ), False
        if _given(tm, "cure_days") and tm.for_cause != "cure":
            yield ("termination", "cure_days"), (
                f"cure_days applies to for_cause 'cure', not {tm.for_cause!r}, got {tm.cure_days}"
            ), tm.cure_days
        ds = spec.data_sharing
        if (tm.data_return_days is not None and ds is not None and ds.mode != "none"
                and _known(ds.destruction_days) and _known(tm.data_return_days)
                and ds.destruction_days != tm.data_return_days):
            yield ("termination", "data_return_days"), (
                f"{tm.data_return_days} days here but data_sharing.destruction_days is {ds.destruction_days}: "
                "the shared data would have two destruction deadlines; give one (or the same) period, "
                f"got {tm.data_return_days}"
            ), tm.data_return_days
    if spec.intellectual_property:
        ip = spec.intellectual_property
        yield from ref(("intellectual_property", "owner"), ip.owner)
        if ip.owner is not None and ip.ownership != "lead_owns":
            yield ("intellectual_property", "owner"), (
                f"owner applies to ownership 'lead_owns', not {ip.ownership!r}, got {ip.owner!r}"
            ), ip.owner
        leads = [p.id for p in spec.parties if p.role == "lead"]
        if ip.ownership == "lead_owns" and ip.owner is None and len(leads) != 1:
            yield ("intellectual_property", "owner"), (
                "ownership 'lead_owns' needs the owning party: set owner (no single party has role lead)"
            ), None
    if spec.publicity and spec.publicity.attribution is not None and spec.publicity.mode != "attribution":
        yield ("publicity", "attribution"), (
            f"attribution applies to mode 'attribution', not {spec.publicity.mode!r}, "
            f"got {_shown(spec.publicity.attribution)}"
        ), spec.publicity.attribution
    if spec.liability:
        li = spec.liability
        if li.mode != "one_way":
            for name in ("indemnitor", "indemnitee"):
                if getattr(li, name) is not None:
                    yield ("liability", name), (
                        f"{name} applies to mode 'one_way', not {li.mode!r}, got {getattr(li, name)!r}"
                    ), getattr(li, name)
        if _given(li, "defend") and li.mode == "own_acts":
            yield ("liability", "defend"), (
                "defend applies to an indemnity (mode mutual_indemnity or one_way), got true"
            ), li.defend
    for i, s in enumerate(spec.signatories):
        yield from ref(("signatories", i, "party"), s.party)
    yield from _prior_amendment_problems(spec)
    yield from _placeholder_problems(spec)
    yield from _override_problems(spec)
    yield from _directional_problems(spec)
    yield from _bodies_problems(spec)
    yield from _money_problems(spec)
    yield from _data_problems(spec)
    references = _exhibit_reference_texts(spec)  # one walk over every text, for both rules
    yield from _exhibit_problems(spec, references)
    yield from _money_limit_problems(spec)
    yield from _money_places_problems(spec)
    yield from _exhibit_reference_form_problems(references)
    yield from _overlap_problems(spec)


def _prior_amendment_problems(spec: Spec) -> Any:
    """Amendments already signed are numbered 1, 2, 3 ... and dated in that order."""
    previous: PriorAmendment | None = None
    for i, amendment in enumerate(spec.agreement.amendments):
        expected = 1 if previous is None else previous.number + 1
        if amendment.number != expected:
            yield ("agreement", "amendments", i, "number"), (
                f"amendments are numbered in order from 1, so this one is No. {expected}, got {amendment.number}"
            ), amendment.number
        elif (previous is not None and _known(amendment.date) and _known(previous.date)
              and amendment.date < previous.date):
            yield ("agreement", "amendments", i, "date"), (
                f"Amendment No. {amendment.number} is dated before Amendment No. {previous.number} "
                f"({previous.date.isoformat()}), got {amendment.date.isoformat()}"
            ), amendment.date.isoformat()
        previous = amendment


def _known(value: Any) -> bool:
    """A value given and not a placeholder: one a rule can compare (``[AMOUNT]`` is neither above nor below a cap)."""
    return value is not None and not is_placeholder(value)


def _number(value: Any) -> str:
    """A Decimal in plain digits; a placeholder as written."""
    return str(value) if is_placeholder(value) else f"{value:f}"


def _placeholder_problems(spec: Spec) -> Any:
    """``agreement.final: true`` marks the execution copy, which may hold no placeholder (``[DATE]``); and a
    placeholder must stand where the draft prints it."""
    tm, ds = spec.termination, spec.data_sharing
    if (tm is not None and is_placeholder(tm.data_return_days) and ds is not None and ds.mode != "none"
            and ds.destruction_days is not None):
        # The destruction clause governs the shared data then, and this period is never printed.
        yield ("termination", "data_return_days"), (
            "data_sharing.destruction_days governs the return or destruction of the shared data, so this "
            "placeholder would never reach the draft; remove data_return_days, or give it the same number of days, "
            f"got {tm.data_return_days}"
        ), str(tm.data_return_days)
    if not spec.agreement.final:
        return
    for loc, token in find_placeholders(spec):
        yield loc, (
            f"agreement.final is true (the execution copy), but this value still holds the placeholder {token}: "
            "fill it in, or set final: false while the draft is a template"
        ), token


def _override_problems(spec: Spec) -> Any:
    """A clause overridden twice: which text would the draft use?"""
    seen: set[str] = set()
    for i, override in enumerate(spec.clauses.override):
        if override.id in seen:
            yield ("clauses", "override", i, "id"), (
                f"clause {override.id!r} is overridden twice: keep one override per clause"), override.id
        seen.add(override.id)


def _directional_problems(spec: Spec) -> Any:
    """Rules of the one-sided terms: who may terminate, indemnify, license, assign, notify; and their limits.

    A party reference may be an id or, where the field allows it, 'any'/'each'; a field
    whose mechanism the spec lacks (a cap carve-out without a cap) is refused with the reason.
    """
    ids = [p.id for p in spec.parties]
    listed = ", ".join(ids)

    def ref(loc: Loc, value: str | None, *, also: str | None = None) -> Any:
        if value is None or value in ids or value == also:
            return
        extra = f"; or {also!r}" if also else ""
        yield loc, f"no party has the id {value!r} (parties: {listed}{extra})", value

    def unique(loc: Loc, values: list[str], what: str) -> Any:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                yield (*loc, i), f"{value!r} is listed twice in {what}; list each party once", value
            seen.add(value)

    has_data = spec.data_sharing is not None and spec.data_sharing.mode != "none"
    li = spec.liability
    indemnifies = li is not None and (li.mode != "own_acts" or bool(li.indemnities))

    tm = spec.termination
    if tm is not None:
        for i, right in enumerate(tm.convenience):
            yield from ref(("termination", "convenience", i, "party"), right.party, also="any")
        yield from unique(("termination", "convenience"), [r.party for r in tm.convenience], "convenience")
        if len(tm.convenience) > 1 and any(r.party == "any" for r in tm.convenience):
            i = next(i for i, r in enumerate(tm.convenience) if r.party == "any")
            yield ("termination", "convenience", i, "party"), (
                "'any' already gives every party the right; name each party with its own notice period instead, "
                "got 'any'"
            ), "any"
        if tm.convenience and tm.convenience_days is not None:
            yield ("termination", "convenience_days"), (
                "convenience lists who may terminate for convenience, so convenience_days would give a second "
                f"notice period; give one of them, got {tm.convenience_days}"
            ), tm.convenience_days
        for i, trig in enumerate(tm.triggers):
            base: Loc = ("termination", "triggers", i)
            yield from ref((*base, "party"), trig.party, also="any")
            yield from ref((*base, "affects"), trig.affects)
            if trig.affects is not None and trig.event in ("change_of_law", "other"):
                yield (*base, "affects"), (
                    f"event {trig.event!r} happens to no one party, so affects has no place; remove it, "
                    f"got {trig.affects!r}"
                ), trig.affects
            if trig.event == "attempted_assignment" and not spec.general_provisions.assignment:
                yield (*base, "event"), (
                    "general_provisions.assignment is false, so no assignment needs consent and none can be "
                    "attempted against the agreement; set assignment to true or remove this trigger, "
                    "got 'attempted_assignment'"
                ), trig.event
            if trig.event == "other" and trig.description is None:
                yield (*base, "description"), "event 'other' needs a description of the event", None
            if trig.event != "other" and trig.description is not None:
                yield (*base, "description"), (
                    f"description applies to event 'other', not {trig.event!r}, got {_shown(trig.description)}"
                ), trig.description
        if tm.on_cause and tm.for_cause == "none":
            yield ("termination", "on_cause"), (
                f"for_cause 'none' gives no termination for cause, so on_cause has nothing to follow; "
                f"choose for_cause immediate or cure, or remove it, got {_shown(tm.on_cause)}"
            ), tm.on_cause
        if tm.on_convenience and not tm.convenience and tm.convenience_days is None:
            yield ("termination", "on_convenience"), (
                "no party may terminate for convenience (give convenience or convenience_days), so on_convenience "
                f"has nothing to follow, got {_shown(tm.on_convenience)}"
            ), tm.on_convenience

    if li is not None:
        if li.indemnities and li.mode == "own_acts":
            yield ("liability", "indemnities"), (
                "mode 'own_acts' says no Party answers for another's acts; choose mode listed (only these "
                f"indemnities), or mutual_indemnity or one_way (these in addition), got {len(li.indemnities)} "
                f"{'indemnity' if len(li.indemnities) == 1 else 'indemnities'}"
            ), len(li.indemnities)
        if li.mode == "listed" and not li.indemnities:
            yield ("liability", "mode"), "mode 'listed' needs at least one entry in indemnities", "listed"
        if li.mode == "listed" and _given(li, "defend"):
            yield ("liability", "defend"), (
                "with mode 'listed' each indemnity says whether it includes a defence (indemnities[].defend), got true"
            ), li.defend
        for i, ind in enumerate(li.indemnities):
            base = ("liability", "indemnities", i)
            yield from ref((*base, "indemnitor"), ind.indemnitor)
            for j, pid in enumerate(ind.indemnitees):
                yield from ref((*base, "indemnitees", j), pid)
                if pid == ind.indemnitor:
                    yield (*base, "indemnitees", j), (
                        f"party {pid!r} cannot indemnify itself; list the parties it indemnifies"
                    ), pid
            yield from unique((*base, "indemnitees"), ind.indemnitees, "indemnitees")
            if "data_breach" in ind.scope and not has_data:
                yield (*base, "scope"), (
                    "scope data_breach covers data shared under the agreement, but no data is shared "
                    f"(data_sharing mode none or absent), got {_shown(list(ind.scope))}"
                ), list(ind.scope)
        if li.indemnity_procedure is not None and not indemnifies:
            yield ("liability", "indemnity_procedure"), (
                "the indemnity procedure handles claims under an indemnity, but mode 'own_acts' has none; choose an "
                f"indemnity (mode, indemnities) or remove indemnity_procedure, got control "
                f"{li.indemnity_procedure.control!r}"
            ), li.indemnity_procedure.control
        for name, needs, why in (("cap_carve_outs", li.cap is not None, "no cap is set (cap)"),
                                 ("consequential_carve_outs", li.exclude_consequential,
                                  "consequential damages are not excluded (exclude_consequential)")):
            values = getattr(li, name)
            if values and not needs:
                yield ("liability", name), f"{name} has nothing to carve out of: {why}, got {_shown(list(values))}", list(values)
            for j, kind in enumerate(values):
                if kind == "indemnity" and not indemnifies:
                    yield ("liability", name, j), "no indemnity is agreed (mode own_acts), got 'indemnity'", kind
                if kind in ("data_breach", "confidentiality") and not has_data:
                    yield ("liability", name, j), (
                        f"no data or confidential information is shared (data_sharing mode none or absent), got {kind!r}"
                    ), kind
            yield from unique(("liability", name), list(values), name)
        for i, rep in enumerate(li.representations):
            yield from ref(("liability", "representations", i, "party"), rep.party, also="each")
            if "data_rights" in rep.subjects and not has_data:
                yield ("liability", "representations", i, "subjects"), (
                    "data_rights is a representation about shared data, but no data is shared "
                    f"(data_sharing mode none or absent), got {_shown(list(rep.subjects))}"
                ), list(rep.subjects)
        yield from unique(("liability", "representations"), [r.party for r in li.representations], "representations")
        for i, ins in enumerate(li.insurance):
            if ins.coverage is None and ins.type in (None, "other"):
                yield ("liability", "insurance", i, "coverage"), (
                    f"insurance of type {ins.type or 'unstated'!r} needs coverage: the kind of insurance in words"
                ), None
            if _known(ins.aggregate) and _known(ins.amount) and ins.aggregate < ins.amount:
                yield ("liability", "insurance", i, "aggregate"), (
                    f"aggregate {ins.aggregate} is below the per-occurrence amount {ins.amount}"
                ), str(ins.aggregate)

    ds = spec.data_sharing
    if ds is not None and ds.breach_notice_to:
        for i, pid in enumerate(ds.breach_notice_to):
            yield from ref(("data_sharing", "breach_notice_to", i), pid)
            if ds.recipient is not None and pid == ds.recipient:
                yield ("data_sharing", "breach_notice_to", i), (
                    f"party {pid!r} is the recipient, the party that gives the breach notice; list the parties it notifies"
                ), pid
        if ds.mode == "de_identified":
            yield ("data_sharing", "breach_notice_to"), (
                "the breach notice applies to mode 'personal', not 'de_identified', "
                f"got {_shown(list(ds.breach_notice_to))}"
            ), list(ds.breach_notice_to)
        elif ds.mode == "personal" and ds.breach_notice_days is None:
            yield ("data_sharing", "breach_notice_to"), (
                "breach_notice_days is null, so the draft has no breach notice; set the days or remove "
                f"breach_notice_to, got {_shown(list(ds.breach_notice_to))}"
            ), list(ds.breach_notice_to)

    ip = spec.intellectual_property
    if ip is not None:
        for i, lic in enumerate(ip.licenses):
            base = ("intellectual_property", "licenses", i)
            yield from ref((*base, "licensor"), lic.licensor)
            for j, pid in enumerate(lic.licensees):
                yield from ref((*base, "licensees", j), pid)
                if pid == lic.licensor:
                    yield (*base, "licensees", j), f"party {pid!r} is the licensor; a party needs no licence from itself", pid
            yield from unique((*base, "licensees"), lic.licensees, "licensees")
            if lic.subject == "other" and lic.description is None:
                yield (*base, "description"), "subject 'other' needs a description of what is licensed", None

    gp = spec.general_provisions
    if gp.assignment_exceptions and not gp.assignment:
        yield ("general_provisions", "assignment_exceptions"), (
            "assignment is false, so the draft has no assignment clause to make exceptions to; remove the "
            f"exceptions or set assignment to true, got {len(gp.assignment_exceptions)} "
            f"{'exception' if len(gp.assignment_exceptions) == 1 else 'exceptions'}"
        ), len(gp.assignment_exceptions)
    for i, exc in enumerate(gp.assignment_exceptions):
        base = ("general_provisions", "assignment_exceptions", i)
        yield from ref((*base, "party"), exc.party, also="any")
        if exc.to == "other" and exc.description is None:
            yield (*base, "description"), "to 'other' needs a description of to whom the party may assign", None
        if exc.to != "other" and exc.description is not None:
            yield (*base, "description"), (
                f"description applies to to 'other', not {exc.to!r}, got {_shown(exc.description)}"
            ), exc.description


def _bodies_problems(spec: Spec) -> Any:
    """Rules on bodies, party names, notices and the period of performance."""
    party_ids = [p.id for p in spec.parties]
    body_ids: list[str] = []
    for i, b in enumerate(spec.bodies):
        base: Loc = ("bodies", i)
        if b.id in party_ids:
            yield (*base, "id"), (
                f"{b.id!r} is already a party id: a body needs an id of its own, since the spec refers to both "
                "by id"
            ), b.id
        elif b.id in body_ids:
            yield (*base, "id"), f"duplicate body id {b.id!r}: each body needs its own id", b.id
        body_ids.append(b.id)
        if b.kind == "committee" and b.existing is None:
            yield (*base, "existing"), (
                f"say whether committee {b.id!r} already exists (existing: true, the Parties report to it) or "
                "is established by this agreement (existing: false)"
            ), None
        if b.kind != "committee":
            for name in ("existing", "members"):
                if _given(b, name):
                    yield (*base, name), (
                        f"{name} applies to a body of kind 'committee', not {b.kind!r}, got {_shown(getattr(b, name))}"
                    ), getattr(b, name)
        for j, pid in enumerate(b.members):
            if pid not in party_ids:
                yield (*base, "members", j), (
                    f"no party has the id {pid!r} (parties: {', '.join(party_ids)}): a committee's members are "
                    "the parties represented on it"
                ), pid
        copied = spec.communication is not None and b.id in spec.communication.notice_copies
        for name in ("address", "attention", "email"):
            # Without a communication section the notices clause is missing (and reported), not wrong.
            if getattr(b, name) is not None and not copied and spec.communication is not None:
                yield (*base, name), (
                    f"{name} is where copies of notices go, but body {b.id!r} is not in communication.notice_copies: "
                    f"add it there, or remove {name}, got {_shown(getattr(b, name))}"
                ), getattr(b, name)
        if copied and b.address is None and b.email is None:
            yield (*base, "address"), (
                f"body {b.id!r} receives copies of notices (communication.notice_copies) but has no address or "
                "email to send them to"
            ), None
    # Every name must point at one party: an alias equal to another party's name would make a sentence ambiguous.
    taken: dict[str, str] = {}
    for p in spec.parties:
        for name in (p.short_name, p.legal_name):
            taken.setdefault(_name_key(name), p.id)
    for i, b in enumerate(spec.bodies):
        for field in ("name", "short_name"):
            name = getattr(b, field)
            if not name:
                continue
            owner = taken.setdefault(_name_key(name), b.id)
            if owner != b.id:
                yield ("bodies", i, field), (
                    f"{name!r} is already the name of {owner!r}: one name cannot stand for two"
                ), name
    for i, p in enumerate(spec.parties):
        seen: set[str] = set()
        for j, alias in enumerate(p.aliases):
            key = _name_key(alias)
            owner = taken.get(key)
            if key in seen or owner == p.id and key in {_name_key(p.short_name), _name_key(p.legal_name)}:
                yield ("parties", i, "aliases", j), (
                    f"alias {alias!r} repeats a name party {p.id!r} already has: each name is defined once"
                ), alias
            elif owner is not None and owner != p.id:
                yield ("parties", i, "aliases", j), (
                    f"alias {alias!r} is already the name of {owner!r}: one name cannot stand for two"
                ), alias
            else:
                taken[key] = p.id
            seen.add(key)
    comm = spec.communication
    methods = set(comm.notice_methods) if comm else set()
    for i, p in enumerate(spec.parties):
        for name in ("notice_address", "notice_attention", "notice_email"):
            value = getattr(p, name)
            if value is None:
                continue
            # Without a communication section the notices clause is missing (and reported): nothing to refuse.
            if comm is None:
                continue
            if name == "notice_email" and not methods & {"email", "email_with_confirmation"}:
                yield ("parties", i, name), (
                    "notice_email needs an e-mail notice method (email or email_with_confirmation in "
                    f"communication.notice_methods), got {_shown(value)}"
                ), value
            elif name == "notice_address" and not methods - {"email", "email_with_confirmation"}:
                yield ("parties", i, name), (
                    "notice_address needs a notice method that delivers to an address (mail, certified_mail, "
                    f"registered_mail, courier or hand in communication.notice_methods), got {_shown(value)}"
                ), value
    if comm is not None:
        known_bodies = {b.id for b in spec.bodies}
        for i, bid in enumerate(comm.notice_copies):
            if bid in party_ids:
                yield ("communication", "notice_copies", i), (
                    f"{bid!r} is a party, and every party receives notices addressed to it; notice_copies names "
                    "bodies that receive copies"
                ), bid
            elif bid not in known_bodies:
                listed = ", ".join(b.id for b in spec.bodies) or "none"
                yield ("communication", "notice_copies", i), (
                    f"no body has the id {bid!r} (bodies: {listed})"
                ), bid
        if _given(comm, "mail_receipt_days") and not methods & {"certified_mail", "registered_mail"}:
            yield ("communication", "mail_receipt_days"), (
                "mail_receipt_days applies to certified_mail or registered_mail in notice_methods, "
                f"got {comm.mail_receipt_days}"
            ), comm.mail_receipt_days
    t = spec.term
    if t is not None:
        # Only dates given (not placeholders) can be compared; a placeholder is checked once it is filled in.
        ps, pe = (d if _known(d) else None for d in (t.performance_start, t.performance_end))
        t = t.model_copy(update={name: None for name in ("start", "end") if not _known(getattr(t, name))})
        if ps and pe and pe < ps:
            yield ("term", "performance_end"), (
                f"performance_end {pe.isoformat()} is before performance_start {ps.isoformat()}"
            ), pe.isoformat()
        if ps and t.effective == "fixed_date" and t.start and ps < t.start:
            yield ("term", "performance_start"), (
                f"performance_start {ps.isoformat()} is before the Effective Date {t.start.isoformat()} (term.start): "
                "the work cannot start before the agreement takes effect"
            ), ps.isoformat()
        if ps and t.end and ps > t.end:
            yield ("term", "performance_start"), (
                f"performance_start {ps.isoformat()} is after the agreement ends on {t.end.isoformat()} (term.end)"
            ), ps.isoformat()
        if pe and t.end and pe > t.end:
            yield ("term", "performance_end"), (
                f"performance_end {pe.isoformat()} is after the agreement ends on {t.end.isoformat()} (term.end): "
                "the work cannot go on after the agreement ends"
            ), pe.isoformat()
        if pe and t.effective == "fixed_date" and t.start and pe < t.start:
            yield ("term", "performance_end"), (
                f"performance_end {pe.isoformat()} is before the Effective Date {t.start.isoformat()} (term.start)"
            ), pe.isoformat()


def _name_key(name: str) -> str:
    """A name as compared for clashes: without a leading 'the', case-folded."""
    return re.sub(r"^the\s+", "", name.strip(), flags=re.I).casefold()


def _open_amount(c: Contribution) -> bool:
    """True when a contribution states its money some other way than a fixed amount."""
    return c.not_to_exceed is not None or c.amount_set_by is not None or c.rate is not None


def _money_problems(spec: Spec) -> Any:
    """Rules of amounts not fixed in advance: ceilings, amounts set by a document, rates, instalments, fees, budgets.

    Each field belongs to one way of stating money; combining two that would
    each say what the payer owes is refused, since the draft could not say
    which one governs.
    """
    fin = spec.financial
    if fin is None:
        return
    for i, c in enumerate(fin.contributions):
        base: Loc = ("financial", "contributions", i)
        if c.kind == "in_kind":
            for name in ("not_to_exceed", "amount_set_by", "rate", "instalments", "admin_fee_percent"):
                if getattr(c, name) is not None:
                    yield (*base, name), (
                        f"{name} applies to a cash contribution; an in-kind item has only its value (amount), "
                        f"got {_shown(_plain(getattr(c, name)))}"
                    ), _plain(getattr(c, name))
            continue
        fixed_only = ("not_to_exceed", "amount_set_by", "instalments")
        if c.basis not in ("fixed",):
            for name in fixed_only:
                if getattr(c, name) is not None:
                    other = "rate.cap" if c.basis == "rate" else "cap"
                    yield (*base, name), (
                        f"{name} applies to basis 'fixed', not {c.basis!r}"
                        + (f" (its ceiling is {other})" if name == "not_to_exceed" else "")
                        + f", got {_shown(_plain(getattr(c, name)))}"
                    ), _plain(getattr(c, name))
        if c.not_to_exceed is not None and c.basis == "fixed":
            if c.amount is not None:
                yield (*base, "not_to_exceed"), (
                    f"amount {c.amount} is a fixed sum and not_to_exceed a ceiling: give one of them, "
                    f"got not_to_exceed {c.not_to_exceed}"
                ), str(c.not_to_exceed)
            if c.cap is not None:
                yield (*base, "cap"), (
                    f"not_to_exceed {c.not_to_exceed} is already the most the payer pays: remove cap, got {c.cap}"
                ), str(c.cap)
        if c.amount_set_by is not None and c.amount is not None and c.basis == "fixed":
            yield (*base, "amount_set_by"), (
                f"amount {c.amount} already states the sum: give amount or amount_set_by (with not_to_exceed as "
                f"its ceiling), got {_shown(c.amount_set_by)}"
            ), c.amount_set_by
        if c.basis == "rate":
            if c.rate is None:
                yield (*base, "rate"), "basis 'rate' needs rate (amount and per)", None
            if c.cap is not None:
                yield (*base, "cap"), f"with basis 'rate' the cap is rate.cap, got cap {c.cap}", str(c.cap)
        elif c.rate is not None:
            yield (*base, "rate"), (
                f"rate applies to basis 'rate', not {c.basis!r}: set basis: rate, got {c.rate.amount} per "
                f"{_shown(c.rate.per)}"
            ), _plain(c.rate)
        if c.rate is not None:
            per = c.rate.per
            if per.casefold().startswith("per "):
                yield (*base, "rate", "per"), (
                    f"per is the unit alone (the draft writes 'per' before it), e.g. 'hour', got {_shown(per)}"
                ), per
            if _known(c.rate.cap) and _known(c.amount) and c.rate.cap < c.amount:
                yield (*base, "rate", "cap"), (
                    f"cap {c.rate.cap} is below the fixed part (amount {c.amount}) that it includes"
                ), str(c.rate.cap)
        if _known(c.admin_fee_percent) and c.admin_fee_percent >= 100:
            yield (*base, "admin_fee_percent"), (
                f"an administrative fee of 100 percent leaves nothing to pay, got {c.admin_fee_percent:f}"
            ), str(c.admin_fee_percent)
        if c.instalments is not None:
            yield from _instalment_problems(c, (*base, "instalments"))
    if fin.budget_by_year:
        seen: set[str] = set()
        for j, period in enumerate(fin.budget_by_year):
            if period.period in seen:
                yield ("financial", "budget_by_year", j, "period"), (
                    f"the period {_shown(period.period)} is listed twice; give each period once"
                ), period.period
            seen.add(period.period)
        # A sum with a placeholder in it is checked once the amounts are filled in (check says so).
        known = all(_known(period.amount) for period in fin.budget_by_year) and _known(fin.budget_total)
        by_year = sum((period.amount for period in fin.budget_by_year if _known(period.amount)), Decimal(0))
        if known and by_year != fin.budget_total:
            yield ("financial", "budget_by_year"), (
                f"the periods add up to {by_year} but budget_total is {fin.budget_total}: correct one of them"
            ), [str(period.amount) for period in fin.budget_by_year]


def _instalment_problems(c: Contribution, base: Loc) -> Any:
    plan = c.instalments
    assert plan is not None
    total = c.amount if c.amount is not None else c.not_to_exceed
    if total is None and c.basis == "fixed":
        yield base, "instalments divide the contribution's amount (or not_to_exceed): give one of them", None
    if c.schedule is not None:
        yield (*base[:-1], "schedule"), (
            f"instalments already say when payments are due: remove schedule, got {_shown(c.schedule)}"
        ), c.schedule
    if plan.dates and plan.cadence is not None:
        yield (*base, "cadence"), (
            f"the dates already say when each instalment is due: give dates or cadence, got {_shown(plan.cadence)}"
        ), plan.cadence
    if not plan.dates and plan.cadence is None:
        yield base, "instalments need their due dates (dates) or a cadence", None
    if not plan.dates and plan.count is None:
        yield (*base, "count"), "instalments need a count, or one date per instalment (dates)", None
    if plan.dates and plan.count is not None and plan.count != len(plan.dates):
        yield (*base, "count"), f"count {plan.count} but {len(plan.dates)} dates are given", plan.count
    if len(plan.dates) == 1:
        yield (*base, "dates"), "one date is one payment, not instalments: give two or more dates", [
            str(d) for d in plan.dates]
    for j in range(1, len(plan.dates)):
        if _known(plan.dates[j]) and _known(plan.dates[j - 1]) and plan.dates[j] <= plan.dates[j - 1]:
            yield (*base, "dates", j), (
                f"{plan.dates[j].isoformat()} is not after the instalment before it ({plan.dates[j - 1].isoformat()})"
            ), plan.dates[j].isoformat()
    count = plan.count if plan.count is not None else (len(plan.dates) or None)
    if plan.amounts:
        if count is not None and len(plan.amounts) != count:
            yield (*base, "amounts"), f"{len(plan.amounts)} amounts for {count} instalments", [
                str(a) for a in plan.amounts]
        elif _known(total) and all(_known(a) for a in plan.amounts):
            added = sum(plan.amounts, Decimal(0))
            if added != total:
                name = "amount" if c.amount is not None else "not_to_exceed"
                yield (*base, "amounts"), (
                    f"the instalments add up to {added} but the contribution's {name} is {total}"
                ), [str(a) for a in plan.amounts]


def _plain(value: Any) -> Any:
    """A value as the error's input: a nested model as its fields."""
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


#: Fields of privacy law or of data about individuals, which mode 'confidential' (data about no one) has no place for.
_PRIVACY_ONLY = ("legal_basis", "de_identification", "ethics_approval", "hipaa", "reidentification_prohibited")


def _said(value: Any) -> str:
    """A value as the spec writes it: true/false in YAML's words, others as messages quote them."""
    return ("true" if value else "false") if isinstance(value, bool) else _shown(value)


def _data_problems(spec: Spec) -> Any:
    """Rules of the data-sharing terms: confidential mode, research use, audit, disposition and HIPAA."""
    ds = spec.data_sharing
    if ds is None or ds.mode == "none":
        return  # mode none refuses every data field in _consistency_problems
    known = {p.id: p for p in spec.parties}
    names = ", ".join(known)

    def ref(loc: Loc, value: str | None) -> Any:
        if value is not None and value not in known:
            yield loc, f"no party has the id {value!r} (parties: {names})", value

    base: Loc = ("data_sharing",)
    if ds.mode == "confidential":
        for name in _PRIVACY_ONLY:
            if _given(ds, name):
                yield (*base, name), (
                    f"mode 'confidential' shares data that describes no individual, so {name} (a term for personal or "
                    f"de-identified data) has no place; remove it or choose mode personal or de_identified, "
                    f"got {_said(getattr(ds, name))}"
                ), getattr(ds, name)
        if ds.research is not None and _given(ds.research, "no_contact"):
            yield (*base, "research", "no_contact"), (
                "mode 'confidential' shares data that describes no individual, so there is no one to contact; "
                f"remove no_contact, got {_said(ds.research.no_contact)}"
            ), ds.research.no_contact
    if ds.research is not None and ds.research.min_cell_size is not None and not ds.research.aggregate_only:
        yield (*base, "research", "min_cell_size"), (
            "min_cell_size applies to aggregate-only publication, but aggregate_only is false; set aggregate_only: "
            f"true or remove min_cell_size, got {ds.research.min_cell_size}"
        ), ds.research.min_cell_size
    if _given(ds, "onward_transfer") and not ds.redisclosure_prohibited:
        yield (*base, "onward_transfer"), (
            "onward_transfer limits re-disclosure, but redisclosure_prohibited is false; set it to true or remove "
            f"onward_transfer, got {ds.onward_transfer!r}"
        ), ds.onward_transfer
    if ds.destruction_days is None:
        for name in ("retention_basis", "disposition", "certificate_days"):
            if _given(ds, name):
                yield (*base, name), (
                    f"{name} says how the data is returned or destroyed, but no destruction_days gives the deadline; "
                    f"add destruction_days or remove {name}, got {_said(getattr(ds, name))}"
                ), getattr(ds, name)
    if ds.audit is not None:
        for i, pid in enumerate(ds.audit.by):
            yield from ref((*base, "audit", "by", i), pid)
            if pid == ds.recipient:
                yield (*base, "audit", "by", i), (
                    f"{pid!r} is the recipient, whose handling of the data the audit inspects; name the party that "
                    f"inspects it, got {pid!r}"
                ), pid
    hipaa = ds.hipaa
    if hipaa is not None:
        if ds.mode == "de_identified":
            yield (*base, "hipaa"), (
                "HIPAA terms govern protected health information, which is personal data; de-identified data is not "
                "protected health information (45 CFR 164.514); choose mode personal or remove hipaa, got covered_entity "
                f"{hipaa.covered_entity!r}"
            ), hipaa.model_dump()
        yield from ref((*base, "hipaa", "covered_entity"), hipaa.covered_entity)
        yield from ref((*base, "hipaa", "business_associate"), hipaa.business_associate)
        if ds.provider is not None and hipaa.covered_entity != ds.provider:
            yield (*base, "hipaa", "covered_entity"), (
                f"the covered entity discloses the protected health information, so it is the provider "
                f"{ds.provider!r}, got {hipaa.covered_entity!r}"
            ), hipaa.covered_entity
        if hipaa.business_associate is not None:
            if hipaa.business_associate == hipaa.covered_entity:
                yield (*base, "hipaa", "business_associate"), (
                    f"a party cannot be its own business associate: {hipaa.business_associate!r} is also the "
                    f"covered entity, got {hipaa.business_associate!r}"
                ), hipaa.business_associate
            elif ds.recipient is not None and hipaa.business_associate != ds.recipient:
                yield (*base, "hipaa", "business_associate"), (
                    f"the business associate receives the information, so it is the recipient {ds.recipient!r}, "
                    f"got {hipaa.business_associate!r}"
                ), hipaa.business_associate
        elif _given(hipaa, "subcontractors"):
            yield (*base, "hipaa", "subcontractors"), (
                "subcontractors is a business-associate term, but no business_associate is named; add "
                f"business_associate or remove subcontractors, got {_said(hipaa.subcontractors)}"
            ), hipaa.subcontractors


#: ``[[exhibit.ID]]``: a reference to an exhibit, in any text of the spec.
EXHIBIT_REF_RE = re.compile(r"\[\[exhibit\.([a-z0-9_-]+)\]\]")
#: The kinds of file an exhibit may be.
EXHIBIT_SUFFIXES = (".md", ".docx")


#: Spec parts printed as written (not through the clause markup), where [[exhibit.ID]] cannot be resolved.
_NO_EXHIBIT_REFS = frozenset({"agreement", "parties", "signatories"})


def exhibit_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': an exhibit's letter by its place in the list."""
    return chr(ord("A") + index % 26) * (index // 26 + 1)


def _exhibit_reference_texts(spec: Spec) -> list[tuple[Loc, str]]:
    """Every text of the spec that has ``[[exhibit.`` in it, with its location."""
    return [(loc, text) for loc, text in texts_in(spec) if "[[exhibit." in text]


def _exhibit_problems(spec: Spec, references: list[tuple[Loc, str]]) -> Any:
    """Exhibits: unique ids, text or file (a .md or .docx), references to known ids; the precedence order."""
    seen: set[str] = set()
    for i, ex in enumerate(spec.exhibits):
        if ex.id in seen:
            yield ("exhibits", i, "id"), f"duplicate exhibit id {ex.id!r}: each exhibit needs its own id", ex.id
        seen.add(ex.id)
        if (ex.text is None) == (ex.file is None):
            given = "both text and file" if ex.text is not None else "neither text nor file"
            yield ("exhibits", i), f"exhibit {ex.id!r} has {given}: give its content as text or as a file", ex.id
        if ex.file is not None and not ex.file.lower().endswith(EXHIBIT_SUFFIXES):
            yield ("exhibits", i, "file"), (
                f"an exhibit file is a .md or a .docx file, got {_shown(ex.file)}"
            ), ex.file
    from mou_builder.spec.loader import format_path  # the loader imports this module first

    known = [ex.id for ex in spec.exhibits]
    for loc, text in references:
        if loc[-1] == "id":
            continue
        for match in EXHIBIT_REF_RE.finditer(text):
            if loc[0] in _NO_EXHIBIT_REFS or loc[-1] == "title" and loc[0] == "exhibits":
                # The title page, party names, signature blocks and exhibit headings are printed as written.
                yield loc, (
                    f"a reference to an exhibit belongs in the agreement's text, not in {format_path(loc)}, "
                    f"got {_shown(match.group(0))}"
                ), match.group(0)
            elif match.group(1) not in seen:
                listed = ", ".join(known) if known else "none: add it under exhibits"
                yield loc, f"refers to [[exhibit.{match.group(1)}]], but no exhibit has that id (exhibits: {listed})", (
                    match.group(0)
                )
    order = spec.general_provisions.precedence
    if sorted(order) != sorted(("agreement", "exhibits", "incorporated_documents")):
        yield ("general_provisions", "precedence"), (
            "list each of agreement, exhibits and incorporated_documents once, the one that governs first, "
            f"got {_shown(order)}"
        ), order


def _money_places_problems(spec: Spec) -> Any:
    """A sum to be paid, capped, budgeted or insured finer than its currency's smallest unit.

    An amount is exact as written and printed as written ("$96,000.123" for
    96000.123), so a contract would state a sum that cannot be paid. A price
    per unit (``rate.amount``) may be finer (a cent and a half per page): it is
    multiplied before anything is paid.
    """
    fin = spec.financial
    default = fin.currency if fin is not None else "USD"
    sums: list[tuple[Loc, Any, str]] = []
    if fin is not None:
        for i, c in enumerate(fin.contributions):
            base: Loc = ("financial", "contributions", i)
            currency = c.currency or fin.currency
            sums += [((*base, name), getattr(c, name), currency) for name in ("amount", "cap", "not_to_exceed")]
            if c.rate is not None:
                sums.append(((*base, "rate", "cap"), c.rate.cap, currency))
            if c.instalments is not None:
                sums += [((*base, "instalments", "amounts", j), a, currency) for j, a in enumerate(c.instalments.amounts)]
        sums += [(("financial", "budget_by_year", j, "amount"), p.amount, fin.currency)
                 for j, p in enumerate(fin.budget_by_year)]
        sums.append((("financial", "budget_total"), fin.budget_total, fin.currency))
    if spec.liability is not None:
        sums.append((("liability", "cap"), spec.liability.cap, default))
        for j, ins in enumerate(spec.liability.insurance):
            for name in ("amount", "aggregate"):
                sums.append((("liability", "insurance", j, name), getattr(ins, name), ins.currency or default))
    for loc, value, currency in sums:
        _, _, exponent = value.as_tuple() if _known(value) else (0, 0, 0)
        if not isinstance(exponent, int) or exponent >= 0:
            continue  # no decimal places: fine in every currency (and Babel's data is not loaded for it)
        from mou_builder.spec.money import minor_places  # the money module imports this one

        places = minor_places(currency)
        if -exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
            finest = ("is in whole units (no decimal places)" if places == 0 else
                      f"has at most {places} decimal place{'s' * (places != 1)}")
            yield loc, (
                f"a {currency} amount {finest}, got {value}: round it (a price per unit may have more: give it "
                "as a rate)"
            ), str(value)


#: The most instalments a contribution may have, however they are given (count, dates or amounts).
MAX_INSTALMENTS = 120


def _money_limit_problems(spec: Spec) -> Any:
    """Money that says nothing: a ceiling or a price of zero, a schedule of more instalments than allowed or of
    instalments rounded down to nothing.

    A cap of 0.00 on a rate ("$75.00 per hour, up to a total of $0.00") or a
    not_to_exceed of 0.00 contradicts the payment it limits; more than
    :data:`MAX_INSTALMENTS` dates or amounts passes the bound that ``count``
    has; equal instalments of 0.00 each are no payment.
    """
    fin = spec.financial
    if fin is None:
        return
    for i, c in enumerate(fin.contributions):
        base: Loc = ("financial", "contributions", i)
        if c.kind == "in_kind":
            continue
        zero = [(("not_to_exceed",), c.not_to_exceed, "up to a total of 0.00 is no payment: give the ceiling, "
                 "or remove the contribution")]
        if c.rate is not None:
            zero += [(("rate", "cap"), c.rate.cap, "a cap of 0.00 lets nothing be paid at the rate: give the most "
                      "the payer pays, or remove cap for an open-ended total"),
                     (("rate", "amount"), c.rate.amount, "a rate of 0.00 per unit is no payment: give the price")]
        for loc, value, why in zero:
            if _known(value) and value == 0:
                yield (*base, *loc), f"{why}, got {value}", str(value)
        plan = c.instalments
        if plan is None:
            continue
        for name in ("dates", "amounts"):
            values = getattr(plan, name)
            if len(values) > MAX_INSTALMENTS:
                yield (*base, "instalments", name), (
                    f"{len(values):,} {name} given; a contribution may have at most {MAX_INSTALMENTS} instalments "
                    "(give a cadence for a longer schedule)"
                ), f"{len(values)} {name}"
        for j, value in enumerate(plan.amounts):
            if _known(value) and value == 0:
                yield (*base, "instalments", "amounts", j), (
                    f"an instalment of 0.00 is no payment: leave it out (and its date), got {value}"
                ), str(value)
        total = c.amount if c.amount is not None else c.not_to_exceed
        count = plan.count if plan.count is not None else len(plan.dates)
        if plan.amounts or not _known(total) or count < 2 or count > MAX_INSTALMENTS or total == 0 and c.amount is None:
            continue
        from mou_builder.spec.money import minor_places  # the money module imports this one

        _, _, exponent = total.as_tuple()
        assert isinstance(exponent, int)
        unit = Decimal(1).scaleb(-max(minor_places(c.currency or fin.currency), -exponent))
        if total < unit * count:
            yield (*base, "amount" if c.amount is not None else "not_to_exceed"), (
                f"{total} divided into {count} equal instalments leaves less than {unit} in each: give fewer "
                "instalments, or their amounts"
            ), str(total)


def malformed_exhibit_reference(text: str) -> str | None:
    """The first ``[[exhibit.`` in ``text`` that does not begin a reference ``[[exhibit.ID]]``, as written; or None.

    Such text is no reference: the draft would print the brackets as they are.
    """
    for found in re.finditer(r"\[\[exhibit\.", text):
        if not EXHIBIT_REF_RE.match(text, found.start()):
            end = text.find("]]", found.start())
            shown = text[found.start():end + 2] if 0 <= end < found.start() + 60 else text[found.start():found.start() + 40]
            return shown.split("\n")[0]
    return None


def _exhibit_reference_form_problems(references: list[tuple[Loc, str]]) -> Any:
    """Text that starts an exhibit reference but is not one (``[[exhibit.Budget]]``, ``[[exhibit.plan``)."""
    for loc, text in references:
        bad = malformed_exhibit_reference(text)
        if bad is not None:
            yield loc, (
                "is not a reference to an exhibit, which is written [[exhibit.ID]] with the exhibit's id "
                f"(lowercase letters, digits, '-' or '_'), got {_shown(bad)}"
            ), bad


def _overlap_problems(spec: Spec) -> Any:
    """A responsibility that would name one party in two roles, or say its cadence twice.

    The duties clause reads "The Library shall issue cards, with the assistance of X, after consulting Y,
    keeping Z informed": a party doing the work is not also consulted or informed about it, and the
    accountable party is not consulted or informed about its own duty. (consulted with informed is refused
    where the references are checked.) A cadence already at the end of the activity would be printed twice.
    """
    for i, r in enumerate(spec.responsibilities):
        base: Loc = ("responsibilities", i)
        for role in ("consulted", "informed"):
            for j, pid in enumerate(getattr(r, role)):
                if pid == r.accountable:
                    yield (*base, role, j), (
                        f"party {pid!r} is accountable for this activity, so the draft cannot also say it is "
                        f"{role} about it; remove {pid!r} from {role}"
                    ), pid
                elif pid in r.responsible:
                    yield (*base, role, j), (
                        f"party {pid!r} is responsible for (does the work of) this activity, so the draft cannot "
                        f"also say it is {role} about it; remove {pid!r} from {role} or from responsible"
                    ), pid
        if r.cadence and r.due is None:
            cadence = r.cadence.strip().rstrip(".").lower()
            if cadence and re.search(rf"(?<!\w){re.escape(cadence)}\.?$", r.activity.strip().lower()):
                yield (*base, "cadence"), (
                    f"the activity already ends with its cadence {r.cadence!r}, which the draft would print "
                    "twice; remove it from the activity or remove cadence"
                ), r.cadence
