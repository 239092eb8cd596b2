"""The spec model: one validated description of a partnership agreement.

The model checks shape and consistency (a party that is referred to exists,
a responsibility has exactly one Accountable party, dates are in order); it
does not check completeness. Sections a completeness profile may report as
missing are optional here, so that an unfinished spec still loads and still
builds a draft with its gaps marked.

Every field has a description: they become the JSON Schema's documentation
and the spec reference in ``docs/``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from mou_builder.types import Count, Currency, Days, Flag, Identifier, IsoDate, Money, Months, Percent, Text

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
        description="Completeness profile the draft is checked against: general, head_start or student_data, "
        "or the id of a profile file given on the command line.",
    )
    draft_version: Text = Field("1", description="Draft label shown in the header, e.g. '3' or '2.1'.")
    final: Flag = Field(False, description="True for the execution copy: the header then shows no draft marker.")
    document_date: IsoDate = Field(
        description="Date of this draft (YYYY-MM-DD). It is also the file's creation date, so builds are repeatable."
    )
    program: Text | None = Field(None, description="Program or project name the agreement serves.")
    funding_source: Text | None = Field(None, description="Funding source of the program, e.g. a grant name.")


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
    consulted: list[Identifier] = Field(default_factory=list, description="Ids of the parties consulted.")
    informed: list[Identifier] = Field(default_factory=list, description="Ids of the parties kept informed.")
    due: IsoDate | None = Field(None, description="Deadline (YYYY-MM-DD), if there is one.")
    cadence: Text | None = Field(None, description="How often it happens, e.g. 'monthly'.")
    details: Text | None = Field(None, description="How it is done, in more detail.")


# ---------------------------------------------------------------- money


ContributionKind = Literal["cash", "in_kind"]
ContributionBasis = Literal["fixed", "actual_cost", "reimbursement", "pass_through"]


class Contribution(_Model):
    """Money or an in-kind item one party provides to another."""

    payer: Identifier = Field(description="Id of the party that pays or provides.")
    payee: Identifier = Field(description="Id of the party that receives.")
    kind: ContributionKind = Field("cash", description="cash, or in_kind (space, staff time, equipment, transport).")
    description: Text = Field(description="What is provided, e.g. 'Classroom space at Lincoln Elementary'.")
    amount: Money | None = Field(None, description="Exact amount, or value of an in-kind item.")
    currency: Currency | None = Field(None, description="ISO 4217 code; defaults to financial.currency.")
    basis: ContributionBasis = Field(
        "fixed",
        description="fixed sum; actual_cost reconciled; reimbursement at a percentage; pass_through of grant funds.",
    )
    reimbursement_percent: Percent | None = Field(None, description="Share of costs reimbursed (basis reimbursement).")
    cap: Money | None = Field(None, description="Most the payer will pay under this contribution.")
    schedule: Text | None = Field(None, description="When payments are made or items provided, e.g. 'quarterly in arrears'.")
    restrictions: Text | None = Field(None, description="Restrictions on the use of the funds.")


class Financial(_Model):
    """Financial obligations: who pays whom, how much, and on what terms."""

    no_cost: Flag = Field(False, description="True when no money moves between the parties under this agreement.")
    currency: Currency = named_default(
        "USD", "Default ISO 4217 currency of the amounts.", when="financial.contributions or financial.budget_total"
    )
    budget_total: Money | None = Field(None, description="Total budget the contributions must add up to.")
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


class Communication(_Model):
    """How and when the parties communicate, meet and give notice."""

    meeting_cadence: Text | None = Field(None, description="How often the partners meet, e.g. 'quarterly'.")
    governance_body: Text | None = Field(None, description="Name of a joint committee or steering group, if any.")
    liaisons: list[Liaison] = Field(default_factory=list, description="One liaison per party.")
    notice_methods: list[Literal["email", "mail", "courier", "hand"]] = named_default(
        ["email", "mail"], "How formal notices may be given; any one of them is enough."
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
    report_recipients: list[Identifier] = Field(default_factory=list, description="Ids of parties that receive reports.")
    method: Text | None = Field(None, description="How data is collected and progress tracked.")


# ---------------------------------------------------------------- data, IP, liability


class DataSharing(_Model):
    """Exchange of data between the parties."""

    mode: Literal["none", "de_identified", "personal"] = Field(
        description="none; de_identified data only; or personal data under a legal basis."
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
        None, description="Days after the end of the agreement within which the data is destroyed or returned."
    )
    named_staff: list[Text] = Field(default_factory=list, description="Staff authorised to access the data.")
    ethics_approval: Text | None = Field(None, description="Ethics board (IRB) approval, if research.")
    publication_review_days: Days | None = Field(
        None, description="Days the provider has to review a publication before release."
    )
    redisclosure_prohibited: Flag = named_default(
        True, "True: the recipient may not re-disclose the data.", when='data_sharing.mode != "none"'
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


class Publicity(_Model):
    """Use of the parties' names and logos."""

    mode: Literal["consent", "limited_license", "attribution"] = named_default(
        "consent", "consent: no use without written consent; limited_license to use marks; required attribution."
    )
    attribution: Text | None = Field(None, description="Required attribution line, for mode attribution.")


class Insurance(_Model):
    """Insurance a party must carry."""

    party: Identifier = Field(description="Id of the party that carries it.")
    coverage: Text = Field(description="Kind of coverage, e.g. 'general liability'.")
    amount: Money = Field(description="Minimum limit per occurrence.")
    currency: Currency | None = Field(None, description="Currency; defaults to financial.currency or USD.")


class Liability(_Model):
    """Who answers for losses."""

    mode: Literal["own_acts", "mutual_indemnity", "one_way"] = named_default(
        "own_acts", "Each party responsible for its own acts; mutual indemnity; or one-way indemnity."
    )
    defend: Flag = named_default(
        False,
        "True: an indemnifying party also defends the other against the claims it indemnifies (pays for the "
        "defence), not only indemnifies and holds harmless.",
        when='liability.mode in ["mutual_indemnity", "one_way"]',
    )
    indemnitor: Identifier | None = Field(None, description="For one_way: the party that indemnifies.")
    indemnitee: Identifier | None = Field(None, description="For one_way: the party indemnified.")
    cap: Money | None = Field(None, description="Cap on liability, if any.")
    insurance: list[Insurance] = Field(default_factory=list, description="Insurance minimums.")

    @model_validator(mode="after")
    def _one_way_names_both(self) -> Liability:
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
    nonrenewal_notice_days: Days = named_default(
        60,
        "For automatic renewal: days before the end of a period by which a party must give notice of non-renewal.",
        when='term.renewal == "automatic"',
    )


class Termination(_Model):
    """How the agreement can end, and what follows."""

    convenience_days: Days | None = Field(None, description="Days of written notice to terminate for convenience.")
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


PrecedenceTier = Literal["agreement", "exhibits", "incorporated_documents"]


class GeneralProvisions(_Model):
    """Boilerplate general provisions; each can be left out by setting it to false."""

    entire_agreement: Flag = named_default(True, "Include the entire-agreement clause. Set to false to leave it out.")
    severability: Flag = named_default(True, "Include the severability clause. Set to false to leave it out.")
    waiver: Flag = named_default(True, "Include the no-waiver clause. Set to false to leave it out.")
    assignment: Flag = named_default(True, "Include the no-assignment clause. Set to false to leave it out.")
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


class ClauseChoices(_Model):
    """Choices about which clauses of the library to use."""

    pin: list[Text] = Field(
        default_factory=list,
        description="Clause ids to use whatever the spec implies ('termination.cause-immediate'), "
        "optionally with the exact version required ('termination.cause-immediate@1.0.0').",
    )
    exclude: list[Text] = Field(default_factory=list, description="Clause ids to leave out.")
    add: list[AddedClause] = Field(default_factory=list, description="Clauses written in the spec.")


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
        default_factory=GeneralProvisions, description="General provisions (boilerplate)."
    )
    clauses: ClauseChoices = Field(default_factory=ClauseChoices, description="Clause choices: pin, exclude, add.")
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
    def _consistent(self) -> Spec:
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
        """The :class:`~mou_builder.loader.SourceMap` of the file the spec came from, or None."""
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

    def ref(loc: Loc, value: str | None) -> Any:
        if value is not None and value not in known:
            yield loc, f"no party has the id {value!r} (parties: {known_list})", value

    for i, r in enumerate(spec.responsibilities):
        base: Loc = ("responsibilities", i)
        yield from ref((*base, "accountable"), r.accountable)
        for role in ("responsible", "consulted", "informed"):
            for j, pid in enumerate(getattr(r, role)):
                yield from ref((*base, role, j), pid)
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
            if c.kind == "cash" and c.amount is None:
                yield (*base, "amount"), "a cash contribution needs an amount", None
            if c.basis == "reimbursement" and c.reimbursement_percent is None:
                yield (*base, "reimbursement_percent"), "basis 'reimbursement' needs reimbursement_percent", None
            if c.basis != "reimbursement" and c.reimbursement_percent is not None:
                yield (*base, "reimbursement_percent"), (
                    f"reimbursement_percent applies to basis 'reimbursement', not {c.basis!r}, "
                    f"got {c.reimbursement_percent:f}"
                ), str(c.reimbursement_percent)
            if c.cap is not None and c.amount is not None and c.amount > c.cap:
                yield (*base, "amount"), f"amount {c.amount} is above the cap {c.cap}", str(c.amount)
        if fin.no_cost and any(c.kind == "cash" for c in fin.contributions):
            yield ("financial", "no_cost"), "no_cost is true but there are cash contributions", True
    if spec.communication:
        for i, liaison in enumerate(spec.communication.liaisons):
            yield from ref(("communication", "liaisons", i, "party"), liaison.party)
    if spec.monitoring:
        for i, pid in enumerate(spec.monitoring.report_recipients):
            yield from ref(("monitoring", "report_recipients", i), pid)
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
                    f"remove it or choose mode de_identified or personal, got {_shown(getattr(ds, name))}"
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
        if t.start and t.end and t.end <= t.start:
            yield ("term", "end"), f"end date {t.end.isoformat()} is not after start date {t.start.isoformat()}", t.end.isoformat()
        if t.effective == "fixed_date" and t.start is None:
            yield ("term", "start"), "effective 'fixed_date' needs a start date", None
        if t.renewal == "evergreen" and t.end is not None:
            yield ("term", "end"), "an evergreen agreement has no end date; remove end or change renewal", t.end.isoformat()
        if t.start is not None and t.effective != "fixed_date":
            yield ("term", "start"), (
                f"start is used only when effective is 'fixed_date' (here {t.effective!r}): "
                f"set effective: fixed_date, or remove start, got {t.start.isoformat()}"
            ), t.start.isoformat()
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
                and ds.destruction_days is not None and ds.destruction_days != tm.data_return_days):
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
    yield from _exhibit_problems(spec)


#: ``[[exhibit.ID]]``: a reference to an exhibit, in any text of the spec.
EXHIBIT_REF_RE = re.compile(r"\[\[exhibit\.([a-z0-9_-]+)\]\]")
#: The kinds of file an exhibit may be.
EXHIBIT_SUFFIXES = (".md", ".docx")


#: Spec parts printed as written (not through the clause markup), where [[exhibit.ID]] cannot be resolved.
_NO_EXHIBIT_REFS = frozenset({"agreement", "parties", "signatories"})


def exhibit_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': an exhibit's letter by its place in the list."""
    return chr(ord("A") + index % 26) * (index // 26 + 1)


def _texts(value: Any, loc: Loc) -> Any:
    """Every string in a model, with its location."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*loc, name))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _texts(item, (*loc, i))


def _exhibit_problems(spec: Spec) -> Any:
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
    from mou_builder.loader import format_path  # the loader imports this module first

    known = [ex.id for ex in spec.exhibits]
    for loc, text in _texts(spec, ()):
        if loc[-1] == "id" or "[[exhibit." not in text:
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
