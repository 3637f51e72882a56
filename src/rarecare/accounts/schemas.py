"""API shapes of the accounts package."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from rarecare.access import Role
from rarecare.accounts.passwords import MAX_LENGTH, MIN_LENGTH, weakness

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserIn(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: str = Field(default="", max_length=200)
    role: Role
    centre_code: str | None = None
    password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)

    @field_validator("password")
    @classmethod
    def _strong_password(cls, password: str, info: ValidationInfo) -> str:
        names = (info.data.get("username", ""), info.data.get("display_name", ""))
        problem = weakness(password, user_inputs=names)
        if problem:
            raise ValueError(problem)
        return password


class UserUpdateIn(BaseModel):
    display_name: str = Field(default="", max_length=200)
    role: Role
    centre_code: str | None = None
    version: int | None = Field(default=None, description="The version it was read at")


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordResetIn(BaseModel):
    new_password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    centre_id: int | None
    is_active: bool
    is_demo: bool
    last_login_at: datetime | None
    version: int = 1


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
