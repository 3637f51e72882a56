"""API shapes of the accounts package."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from rarecare.access import Role

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"
MIN_PASSWORD_LENGTH = 10


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserIn(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    role: Role
    centre_code: str | None = None
    display_name: str = Field(default="", max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    centre_id: int | None
    is_active: bool
    last_login_at: datetime | None


class MeOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    role: Role
    centre_id: int | None
    centre_name: str | None


class StaffMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
