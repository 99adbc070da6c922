"""Request and response shapes of /api/v1/automations. The condition tree is checked by the domain
against the fields of the trigger's record (the segments' language: 422 names the condition's
path); actions are typed here by their `type` and checked again by the domain (templates,
campaigns and users must exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.api.v1.schemas.common import LongText, Name, RequestModel
from app.domain.marketing.automations import TRIGGERS

TriggerKey = Literal[tuple(TRIGGERS)]  # type: ignore[valid-type]
Status = Literal["active", "paused"]
DelayUnit = Literal["minutes", "hours", "days"]
RunStatus = Literal["pending", "done", "skipped", "failed"]
TagText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

CONDITIONS_DOC = (
    'A condition tree over the run\'s record (a lead or a contact): {"op": "and" | "or", "conditions": [...]}, the '
    "language of segments (GET /segments/fields lists the fields; a trigger whose record may be either a lead or a "
    "contact takes the fields both have). An empty group matches every record."
)


class SendTemplate(RequestModel):
    type: Literal["send_template"]
    template_id: UUID = Field(
        description="An e-mail template, sent to the record's address (consent and suppression apply)."
    )


class AddToCampaign(RequestModel):
    type: Literal["add_to_campaign"]
    campaign_id: UUID = Field(description="A campaign within the owner's campaigns update range.")


class AddTag(RequestModel):
    type: Literal["add_tag"]
    tag: TagText


class RemoveTag(RequestModel):
    type: Literal["remove_tag"]
    tag: TagText


class AssignOwner(RequestModel):
    type: Literal["assign_owner"]
    user_id: UUID


class CreateTask(RequestModel):
    type: Literal["create_task"]
    subject: Name
    due_in_days: int | None = Field(None, ge=0, le=365)
    assignee_id: UUID | None = None


class NotifyUser(RequestModel):
    type: Literal["notify_user"]
    message: Message
    user_id: UUID | None = Field(None, description="Default: the record's owner.")


Action = Annotated[
    SendTemplate | AddToCampaign | AddTag | RemoveTag | AssignOwner | CreateTask | NotifyUser,
    Field(discriminator="type"),
]


def _dump_actions(actions: list[Any]) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json", exclude_none=True) for a in actions]


class AutomationCreate(RequestModel):
    name: Name
    description: LongText | None = None
    trigger: TriggerKey  # type: ignore[valid-type]
    conditions: dict[str, Any] = Field(
        default_factory=lambda: {"op": "and", "conditions": []}, description=CONDITIONS_DOC
    )
    actions: list[Action] = Field(min_length=1, max_length=10)
    delay_amount: int = Field(0, ge=0, description="Wait this long after the event before acting (at most 90 days).")
    delay_unit: DelayUnit = "minutes"
    status: Status = "active"

    def values(self) -> dict[str, Any]:
        out = self.model_dump(exclude={"actions"})
        out["actions"] = _dump_actions(self.actions)
        return out


class AutomationPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    description: LongText | None = None
    trigger: TriggerKey = None  # type: ignore[valid-type]
    conditions: dict[str, Any] = Field(None, description=CONDITIONS_DOC)  # type: ignore[arg-type]
    actions: list[Action] = Field(None, min_length=1, max_length=10)  # type: ignore[arg-type]
    delay_amount: int = Field(None, ge=0)  # type: ignore[assignment]
    delay_unit: DelayUnit = None  # type: ignore[assignment]
    status: Status = Field(None, description="paused: no new runs; waiting runs are skipped.")  # type: ignore[arg-type]

    def changes(self) -> dict[str, Any]:
        out = super().changes()
        for name in ("name", "trigger", "conditions", "actions", "delay_amount", "delay_unit", "status"):
            if name in out and out[name] is None:
                out.pop(name)  # null for a required field leaves it as it is
        if "actions" in out:
            out["actions"] = _dump_actions(self.actions)
        return out


class AutomationOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    trigger: str
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    delay_amount: int
    delay_unit: DelayUnit
    status: Status
    owner_id: UUID = Field(description="Whose permissions and data ranges the runs use (the creator).")
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class AutomationList(BaseModel):
    items: list[AutomationOut]


class StepOut(BaseModel):
    type: str
    result: Literal["done", "skipped", "would_do"]
    detail: str


class RunOut(BaseModel):
    id: UUID
    automation_id: UUID
    trigger: str
    event_id: UUID | None
    record_kind: Literal["lead", "contact"]
    record_id: UUID
    source_entity: str | None = Field(description="The event's own record when not the lead/contact (deal, ticket...).")
    source_id: UUID | None
    status: RunStatus
    run_at: datetime = Field(description="When the run is (or was) due: the event's time plus the delay.")
    attempts: int
    error: str | None
    reason: str | None = Field(description="Why the run was skipped.")
    actions_done: list[StepOut]
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older runs; null on the last page.")


class DryRunBody(RequestModel):
    record_id: UUID | None = Field(
        None, description="A lead or contact; unset: the records of the trigger's latest events."
    )
    limit: int = Field(10, ge=1, le=50, description="How many of the latest events' records (without record_id).")


class DryStepOut(BaseModel):
    type: str
    result: Literal["skipped", "would_do"]
    detail: str
    params: dict[str, Any]


class DryRunItemOut(BaseModel):
    record_kind: Literal["lead", "contact"]
    record_id: UUID
    event_id: UUID | None
    matches: bool = Field(description="Whether a run would start (in range and the conditions match).")
    reason: str | None
    actions: list[DryStepOut]


class DryRunOut(BaseModel):
    items: list[DryRunItemOut]
    hidden: int = Field(description="Records of those events outside your own read range (not shown).")


class ParamOut(BaseModel):
    name: str
    type: Literal["uuid", "text", "int"]
    required: bool


class TriggerOut(BaseModel):
    key: str
    event_type: str
    record_kinds: list[Literal["lead", "contact"]]
    label_en: str
    label_zh: str


class ActionKindOut(BaseModel):
    type: str
    params: list[ParamOut]
    label_en: str
    label_zh: str


class CatalogueOut(BaseModel):
    triggers: list[TriggerOut]
    actions: list[ActionKindOut]
