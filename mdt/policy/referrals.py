"""Referrals: the receiving agency answers, the referring side follows up and withdraws."""

from __future__ import annotations

from mdt.policy.registry import can, rule


def _sides(user, referral) -> tuple[bool, bool]:
    receiving = user.agency_id == referral.to_agency_id
    referring = user.agency_id == referral.from_agency_id or (
        not receiving and can(user, "case.edit", referral.case)
    )
    return receiving, referring


def _mine(user, referral) -> bool:
    return referral is not None and referral.mdt_id == user.mdt_id


@rule("referral.view")
def _view(user, referral) -> bool:
    if not _mine(user, referral):
        return False
    receiving, referring = _sides(user, referral)
    return receiving or referring or user.has_role("coordinator")


@rule("referral.answer")
def _answer(user, referral) -> bool:
    return _mine(user, referral) and user.agency_id == referral.to_agency_id


@rule("referral.complete")
def _complete(user, referral) -> bool:
    return _mine(user, referral) and any(_sides(user, referral))


@rule("referral.withdraw")
def _withdraw(user, referral) -> bool:
    return _mine(user, referral) and _sides(user, referral)[1]


@rule("referral.instalment")
def _instalment(user, referral) -> bool:
    return _mine(user, referral) and any(_sides(user, referral)) and referral.service == "livelihood_grant"
