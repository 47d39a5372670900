"""The referrals domain's services, one module per concern: consents, offers (the services
directory), referrals (their figures are in ``mdt.reports``). ``from mdt.referrals import
services as referrals`` gives all of them."""

from mdt.referrals.services.consents import (  # noqa: F401
    case_consents,
    read_back,
    record_consent,
    record_sms_refusal,
    withdraw_consent,
)
from mdt.referrals.services.offers import (  # noqa: F401
    check_service,
    find_services,
    save_service,
)
from mdt.referrals.services.referrals import (  # noqa: F401
    ReferralFilters,
    accept,
    add_instalment,
    case_referrals,
    complete,
    create_referral,
    decline,
    default_respond_by,
    expire_overdue,
    get_referral,
    read_referral,
    referral_count,
    referral_list,
    withdraw,
)
