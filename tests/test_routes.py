"""Every route of the URL map, every method, every role: the status code each must get.

A route added without a row in ``EXPECTED`` fails ``test_every_route_has_a_row`` (and a row whose
route is gone fails it too), so no page or endpoint goes in without someone deciding who may
use it. The rows say what ``mdt.policy`` decides, seen from the outside:

- 404: the record is not even revealed (another MDT, a case off the member's team);
- 403: the record or page is visible, or the page is role-based, but the right is missing;
- 401: an API call without a bearer token; 302 for an anonymous web request: to the login page;
- 200/201/302 (done), 409 (refused by the workflow) or 422 (the empty form was refused): the
  member got past the access check. POSTs are sent with an empty form or JSON object unless
  ``EXTRA`` gives more, so a 409 or 422 counts as "may do it".

The records (``build_records``) are in the first MDT; ``outsider`` is a coordinator of the other
one. Each request starts from the same database: after every request that may write, the SQLite
file is restored from a snapshot, so no row depends on the order the routes are visited in.
"""

from __future__ import annotations

import io
import re
import sqlite3

import pytest
from sqlalchemy import select

from mdt import clock
from mdt.auth.services import create_token
from mdt.calendar import services as calendar
from mdt.cases import services as cases_services
from mdt.cases.models import Intermediary
from mdt.directory import services as directory
from mdt.documents import bundle
from mdt.documents import services as documents
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import DeadlineRule
from mdt.meetings import services as meetings
from mdt.meetings.models import MeetingSeries
from mdt.monitoring import services as monitoring
from mdt.privacy.models import DataCopy, ErasureRequest, ReadAlert
from mdt.referrals import services as referrals
from mdt.reminders.channels import outbox_dir
from mdt.reports import export
from mdt.sync.models import SyncConflict
from mdt.triage import services as triage
from tests import factories as f

ROLES = ("anonymous", "social", "lawyer", "police", "coordinator", "admin", "viewer", "outsider")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
MAIL_NAME = "route-matrix.eml"
PNG = f.png()

# fmt: off
# (method, rule): statuses for         anonymous, social, lawyer, police, coordinator, admin, viewer, outsider
EXPECTED: dict[tuple[str, str], tuple[int, ...]] = {
    # ---- open to everyone: login, language, health, the API description, the calendar feed
    # (its secret address, made for `social`, is the credential; the session plays no part)
    ("GET", "/login"):                                                       (200, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/login"):                                                      (200, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/language"):                                                   (302, 302, 302, 302, 302, 302, 302, 302),
    ("GET", "/login/code"):                                                  (302, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/login/code"):                                                 (302, 302, 302, 302, 302, 302, 302, 302),
    ("GET", "/password/forgot"):                                             (200, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/password/forgot"):                                            (422, 302, 302, 302, 302, 302, 302, 302),
    ("GET", "/password/reset/<token>"):                                      (404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/password/reset/<token>"):                                     (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/health"):                                               (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/favicon.ico"):                                                 (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/openapi.json"):                                         (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/calendar/feed/<token>.ics"):                                   (200, 200, 200, 200, 200, 200, 200, 200),
    # the installable app (issue 16): its manifest and service worker are linked from every page;
    # the offline app's shell holds no data (a member whose session ended still opens their copy)
    ("GET", "/manifest.webmanifest"):                                        (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/sw.js"):                                                       (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/field"):                                                       (200, 200, 200, 200, 200, 200, 403, 200),
    # the device's pack holds only the member's own cases; a device is set up by whoever may take one
    ("GET", "/field/pack"):                                                  (302, 200, 200, 200, 200, 403, 403, 200),
    ("POST", "/field/device"):                                               (302, 201, 201, 201, 201, 403, 403, 201),
    # ---- any member, own data or the MDT's lists (every list is filtered by the policy)
    ("GET", "/"):                                                            (302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/about"):                                                       (302, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/logout"):                                                     (302, 302, 302, 302, 302, 302, 302, 302),
    ("GET", "/profile"):                                                     (302, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile"):                                                    (302, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile/password"):                                           (302, 422, 422, 422, 422, 422, 422, 422),
    ("POST", "/profile/calendar-feed"):                                      (302, 302, 302, 302, 302, 302, 403, 302),
    ("POST", "/profile/tokens/<int:token_id>/revoke"):                       (302, 302, 404, 404, 404, 404, 404, 404),
    ("GET", "/profile/two-step"):                                            (302, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile/two-step"):                                           (302, 400, 400, 400, 400, 400, 400, 400),
    ("GET", "/profile/sessions"):                                            (302, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile/sessions/end-others"):                                (302, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/profile/sessions/<handle>/end"):                              (302, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/notifications"):                                               (302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/reminders"):                                                   (302, 200, 200, 200, 200, 200, 403, 200),
    ("POST", "/reminders"):                                                  (302, 302, 302, 302, 302, 302, 403, 302),
    ("GET", "/calendar"):                                                    (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/cases"):                                                       (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/cases/new"):                                                   (302, 200, 200, 200, 200, 403, 403, 200),
    ("POST", "/cases/new"):                                                  (302, 422, 422, 422, 422, 403, 403, 422),
    ("POST", "/cases/new/draft"):                                            (302, 200, 200, 200, 200, 403, 403, 200),
    ("POST", "/cases/new/drafts/<int:draft_id>/discard"):                    (302, 302, 404, 404, 404, 403, 403, 404),
    ("GET", "/directory/"):                                                  (302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/directory/intermediaries"):                                    (302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/directory/intermediaries/<int:intermediary_id>"):              (302, 200, 200, 200, 200, 200, 200, 404),
    # the monitoring record: coordinators and labour officers (admin: an account, not an officer);
    # merging and undoing: coordinators. Warned agencies' names: anyone.
    ("GET", "/directory/intermediaries/outreach.csv"):                       (302, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/directory/intermediaries/<int:intermediary_id>/record"):      (302, 403, 403, 403, 302, 403, 403, 404),
    ("POST", "/directory/intermediaries/<int:intermediary_id>/relations"):   (302, 403, 403, 403, 422, 403, 403, 404),
    ("POST", "/directory/intermediaries/<int:intermediary_id>/relations/<int:relation_id>/remove"): (302, 403, 403, 403, 302, 403, 403, 404),
    ("POST", "/directory/intermediaries/<int:intermediary_id>/evidence"):    (302, 403, 403, 403, 422, 403, 403, 404),
    ("POST", "/directory/intermediaries/<int:intermediary_id>/merge"):       (302, 403, 403, 403, 422, 403, 403, 404),
    ("POST", "/directory/intermediary-merges/<int:merge_id>/undo"):          (302, 403, 403, 403, 302, 403, 403, 404),
    ("GET", "/services"):                                                    (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/services/new"):                                                (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/referrals"):                                                   (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/referrals/agency-options"):                                    (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/matters"):                                                     (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/my-legal"):                                                    (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/meetings"):                                                    (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/meetings/new"):                                                (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/meetings/series"):                                             (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/actions"):                                                     (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/admin/rules"):                                                 (302, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/api/v1/me"):                                                   (401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/agencies"):                                             (401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/members"):                                              (401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/cases"):                                                (401, 200, 200, 200, 200, 200, 403, 200),
    ("POST", "/api/v1/cases"):                                               (401, 422, 422, 422, 422, 403, 403, 422),
    ("GET", "/api/v1/referrals"):                                            (401, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/api/v1/legal-matters"):                                        (401, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/api/v1/deadline-rules"):                                       (401, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/api/v1/reminders"):                                            (401, 200, 200, 200, 200, 200, 403, 200),
    ("GET", "/api/v1/calendar"):                                             (401, 200, 200, 200, 200, 200, 403, 200),
    # ---- the case: social welfare leads (social, coordinator); the legal aid NGO (lawyer) is on
    # the team with every part; police and labour (admin) are not; the team is the lead's to set
    ("GET", "/cases/<int:case_id>"):                                         (302, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/edit"):                                    (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/edit"):                                   (302, 422, 422, 404, 422, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/episodes/new"):                            (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/episodes/new"):                           (302, 302, 302, 404, 302, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/assessment"):                             (302, 302, 302, 404, 302, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/risk"):                                   (302, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/plan"):                                   (302, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/notes"):                                  (302, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/stage"):                                  (302, 422, 422, 404, 422, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/team"):                                    (302, 200, 403, 404, 200, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/team"):                                   (302, 302, 403, 404, 302, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/audit"):                                   (302, 200, 200, 404, 200, 404, 403, 404),
    # who has seen the file: the lead agency (social welfare) and the coordinators
    ("GET", "/cases/<int:case_id>/readers"):                                 (302, 200, 403, 404, 200, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/readers.csv"):                             (302, 200, 403, 404, 200, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/consents"):                                (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/consents"):                               (302, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/consents/<int:consent_id>/withdraw"):                         (302, 302, 302, 404, 302, 404, 403, 404),
    ("GET", "/api/v1/cases/<int:case_id>"):                                  (401, 200, 200, 404, 200, 404, 403, 404),
    ("PATCH", "/api/v1/cases/<int:case_id>"):                                (401, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/api/v1/cases/<int:case_id>/audit"):                            (401, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/api/v1/cases/<int:case_id>/notes"):                            (401, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/api/v1/cases/<int:case_id>/notes"):                           (401, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/api/v1/cases/<int:case_id>/stage"):                           (401, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/api/v1/cases/<int:case_id>/episodes"):                        (401, 201, 201, 404, 201, 404, 403, 404),
    ("GET", "/api/v1/cases/<int:case_id>/consents"):                         (401, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/api/v1/cases/<int:case_id>/consents"):                        (401, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/api/v1/consents/<int:consent_id>/withdraw"):                  (401, 200, 200, 404, 200, 404, 403, 404),
    # ---- referral of the case from social welfare to the labour office (admin's agency) for a
    # livelihood grant: labour answers; the case's whole team follows up and withdraws
    ("GET", "/referrals/new"):                                               (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/referrals/new"):                                              (302, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/api/v1/referrals"):                                           (401, 422, 422, 404, 422, 404, 403, 404),
    ("GET", "/referrals/<int:referral_id>"):                                 (302, 200, 200, 404, 200, 200, 403, 404),
    ("POST", "/referrals/<int:referral_id>/accept"):                         (302, 403, 403, 404, 403, 302, 403, 404),
    ("POST", "/referrals/<int:referral_id>/decline"):                        (302, 403, 403, 404, 403, 422, 403, 404),
    ("POST", "/referrals/<int:referral_id>/complete"):                       (302, 422, 422, 404, 422, 422, 403, 404),
    ("POST", "/referrals/<int:referral_id>/withdraw"):                       (302, 302, 302, 404, 302, 403, 403, 404),
    ("POST", "/referrals/<int:referral_id>/instalments"):                    (302, 409, 409, 404, 409, 409, 403, 404),
    ("GET", "/api/v1/referrals/<int:referral_id>"):                          (401, 200, 200, 404, 200, 200, 403, 404),
    ("POST", "/api/v1/referrals/<int:referral_id>/accept"):                  (401, 403, 403, 404, 403, 200, 403, 404),
    ("POST", "/api/v1/referrals/<int:referral_id>/decline"):                 (401, 403, 403, 404, 403, 422, 403, 404),
    ("POST", "/api/v1/referrals/<int:referral_id>/complete"):                (401, 422, 422, 404, 422, 422, 403, 404),
    ("POST", "/api/v1/referrals/<int:referral_id>/withdraw"):                (401, 200, 200, 404, 200, 403, 403, 404),
    ("POST", "/api/v1/referrals/<int:referral_id>/instalments"):             (401, 409, 409, 404, 409, 409, 403, 404),
    ("GET", "/referrals/figures"):                                           (302, 403, 403, 403, 302, 403, 403, 302),
    # the figures: coordinators and viewers, each of their own MDT (``outsider`` sees its own)
    ("GET", "/reports"):                                                     (302, 403, 403, 403, 200, 403, 200, 200),
    ("GET", "/api/v1/reports/summary"):                                      (401, 403, 403, 403, 200, 403, 200, 200),
    ("POST", "/reports/quarterly"):                                          (302, 403, 403, 403, 302, 403, 302, 302),
    # de-identified exports: a right of their own (coordinators; national viewers); each export
    # is its requester's alone (the record is the coordinator's)
    # ---- documents: the case's team, as far as the parts the document belongs to are open to them;
    # a legal matter's documents: whoever sees the matter, added by those who work on it
    ("GET", "/cases/<int:case_id>/documents/new"):                           (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/documents/new"):                          (302, 422, 422, 404, 422, 404, 403, 404),
    ("GET", "/matters/<int:matter_id>/documents/new"):                       (302, 403, 200, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/documents/new"):                      (302, 403, 422, 404, 403, 404, 403, 404),
    ("GET", "/documents/<int:document_id>"):                                 (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/documents/<int:document_id>/versions"):                       (302, 422, 422, 404, 422, 404, 403, 404),
    ("GET", "/documents/<int:document_id>/file"):                            (302, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/documents/<int:document_id>/thumbnail"):                       (302, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/documents/<int:document_id>/custody.pdf"):                     (302, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/hearings/<int:hearing_id>/bundle"):                            (302, 403, 200, 404, 403, 404, 403, 404),
    ("POST", "/hearings/<int:hearing_id>/bundle"):                           (302, 403, 422, 404, 403, 404, 403, 404),
    ("GET", "/bundles/<int:bundle_id>"):                                     (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/api/v1/cases/<int:case_id>/documents"):                       (401, 422, 422, 404, 422, 404, 403, 404),
    # ---- issue 16: visits, offline sync and its clashes, triage, the public complaint form
    ("GET", "/cases/<int:case_id>/visits/new"):                              (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/visits/new"):                             (302, 422, 422, 404, 422, 404, 403, 404),
    ("POST", "/cases/<int:case_id>/visits/schedule"):                        (302, 302, 302, 404, 302, 404, 403, 404),
    ("GET", "/cases/<int:case_id>/conflicts"):                               (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/conflicts/<int:conflict_id>"):                                (302, 422, 403, 404, 422, 404, 403, 404),
    ("POST", "/api/v1/sync/conflicts/<int:conflict_id>"):                    (401, 422, 403, 404, 422, 404, 403, 404),
    ("POST", "/api/v1/sync"):                                                (401, 422, 422, 422, 422, 403, 403, 422),
    ("POST", "/field/sync"):                                                 (302, 400, 400, 400, 400, 403, 403, 400),
    ("GET", "/api/v1/triage"):                                               (401, 403, 403, 403, 200, 403, 403, 200),
    ("GET", "/triage"):                                                      (302, 403, 403, 403, 200, 403, 403, 200),
    ("GET", "/triage/<int:triage_id>"):                                      (302, 403, 403, 403, 200, 403, 403, 404),
    ("POST", "/triage/<int:triage_id>/accept"):                              (302, 403, 403, 403, 422, 403, 403, 404),
    ("POST", "/triage/<int:triage_id>/merge"):                               (302, 403, 403, 403, 422, 403, 403, 404),
    ("POST", "/triage/<int:triage_id>/decline"):                             (302, 403, 403, 403, 422, 403, 403, 404),
    ("GET", "/submissions"):                                                 (302, 200, 200, 200, 200, 403, 403, 200),
    ("GET", "/submissions/intake"):                                          (302, 200, 200, 200, 200, 403, 403, 200),
    ("POST", "/submissions/intake"):                                         (302, 422, 422, 422, 422, 403, 403, 422),
    ("GET", "/submissions/visit"):                                           (302, 404, 404, 404, 404, 403, 403, 404),
    ("POST", "/submissions/visit"):                                          (302, 404, 404, 404, 404, 403, 403, 404),
    ("GET", "/report"):                                                      (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/report"):                                                     (422, 422, 422, 422, 422, 422, 422, 422),
    ("GET", "/report/status"):                                               (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/report/status"):                                              (404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/public/complaints"):                                          (422, 422, 422, 422, 422, 422, 422, 422),
    ("GET", "/public/complaints/status"):                                    (422, 422, 422, 422, 422, 422, 422, 422),
    ("GET", "/api/v1/documents/<int:document_id>"):                          (401, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/api/v1/documents/<int:document_id>/content"):                  (401, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/api/v1/documents/<int:document_id>/custody"):                  (401, 200, 200, 404, 200, 404, 403, 404),
    ("GET", "/reports/exports"):                                             (302, 403, 403, 403, 200, 403, 403, 200),
    ("POST", "/reports/exports"):                                            (302, 403, 403, 403, 422, 403, 403, 422),
    ("GET", "/reports/exports/<int:export_id>"):                             (302, 404, 404, 404, 200, 404, 404, 404),
    ("GET", "/reports/exports/<int:export_id>/file"):                        (302, 404, 404, 404, 200, 404, 404, 404),
    ("POST", "/api/v1/exports"):                                             (401, 403, 403, 403, 422, 403, 403, 422),
    ("GET", "/api/v1/exports/<int:export_id>"):                              (401, 404, 404, 404, 200, 404, 404, 404),
    ("GET", "/api/v1/exports/<int:export_id>/file"):                         (401, 404, 404, 404, 200, 404, 404, 404),
    # ---- a social welfare service: its agency (social, coordinator) and admins manage it
    ("GET", "/services/<int:service_id>/edit"):                              (302, 200, 403, 403, 200, 200, 403, 404),
    ("POST", "/services/<int:service_id>/edit"):                             (302, 422, 403, 403, 422, 422, 403, 404),
    ("POST", "/services/new"):                                               (302, 302, 403, 403, 302, 302, 403, 422),
    # ---- the legal matter opened by the lawyer for the case: lawyers and coordinators open
    # matters; the case's team and coordinators see it; its lawyers change it; a coordinator
    # confirms a trigger date (not the lawyer who recorded it: 409)
    ("GET", "/matters/new"):                                                 (302, 403, 200, 403, 200, 403, 403, 200),
    ("POST", "/matters/new"):                                                (302, 403, 422, 403, 422, 403, 403, 422),
    ("POST", "/api/v1/legal-matters"):                                       (401, 403, 422, 403, 422, 403, 403, 422),
    ("GET", "/matters/<int:matter_id>"):                                     (302, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/supervisor"):                         (302, 403, 302, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/claimants"):                          (302, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/claimants/<int:claimant_id>"):        (302, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/claimants/table"):                    (302, 403, 302, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/events"):                             (302, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/events/<int:event_id>/confirm"):      (302, 403, 409, 404, 302, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/events/<int:event_id>/date"):         (302, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/deadlines/<int:deadline_id>/done"):   (302, 403, 302, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/hearings"):                           (302, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/hearings/<int:hearing_id>"):          (302, 403, 302, 404, 403, 404, 403, 404),
    ("POST", "/matters/<int:matter_id>/hearings/<int:hearing_id>/support"):  (302, 403, 302, 404, 403, 404, 403, 404),
    ("GET", "/api/v1/legal-matters/<int:matter_id>"):                        (401, 200, 200, 404, 200, 404, 403, 404),
    ("PATCH", "/api/v1/legal-matters/<int:matter_id>"):                      (401, 403, 200, 404, 403, 404, 403, 404),
    ("POST", "/api/v1/legal-matters/<int:matter_id>/claimants"):             (401, 403, 422, 404, 403, 404, 403, 404),
    ("PATCH", "/api/v1/legal-matters/<int:matter_id>/claimants/<int:claimant_id>"): (401, 403, 200, 404, 403, 404, 403, 404),
    ("GET", "/api/v1/legal-matters/<int:matter_id>/deadlines"):              (401, 200, 200, 404, 200, 404, 403, 404),
    ("POST", "/api/v1/legal-matters/<int:matter_id>/events"):                (401, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/api/v1/legal-matters/<int:matter_id>/hearings"):              (401, 403, 422, 404, 403, 404, 403, 404),
    ("PATCH", "/api/v1/events/<int:event_id>"):                              (401, 403, 422, 404, 403, 404, 403, 404),
    ("POST", "/api/v1/events/<int:event_id>/confirm"):                       (401, 403, 409, 404, 200, 404, 403, 404),
    ("POST", "/api/v1/deadlines/<int:deadline_id>/done"):                    (401, 403, 200, 404, 403, 404, 403, 404),
    ("PATCH", "/api/v1/hearings/<int:hearing_id>"):                          (401, 403, 200, 404, 403, 404, 403, 404),
    # ---- deadline rules and court closure days (shared by every MDT): administrators change
    # them; every member reads the rules
    ("GET", "/admin/rules/new"):                                             (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/admin/rules/new"):                                            (302, 403, 403, 403, 403, 422, 403, 403),
    ("GET", "/admin/rules/<int:rule_id>"):                                   (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/admin/rules/<int:rule_id>"):                                  (302, 403, 403, 403, 403, 422, 403, 403),
    ("POST", "/admin/closures"):                                             (302, 403, 403, 403, 403, 422, 403, 403),
    ("POST", "/admin/closures/<int:closure_id>/remove"):                     (302, 403, 403, 403, 403, 302, 403, 403),
    ("POST", "/api/v1/deadline-rules"):                                      (401, 403, 403, 403, 403, 422, 403, 403),
    ("PATCH", "/api/v1/deadline-rules/<int:rule_id>"):                       (401, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/api/v1/closure-days"):                                        (401, 403, 403, 403, 403, 422, 403, 403),
    ("DELETE", "/api/v1/closure-days/<int:closure_id>"):                     (401, 403, 403, 403, 403, 200, 403, 403),
    # ---- the meeting: every member of the MDT sees it (items on cases they may not see are
    # redacted); coordinators and admins prepare it; coordinators approve the minutes; the
    # minutes of an item are written by the case's team (the agenda item is on the case only
    # social welfare sees: admin may prepare but not write them)
    ("GET", "/meetings/<int:meeting_id>"):                                   (302, 200, 200, 200, 200, 200, 403, 404),
    ("GET", "/meetings/<int:meeting_id>/print"):                             (302, 200, 200, 200, 200, 200, 403, 404),
    ("GET", "/meetings/<int:meeting_id>/agenda.pdf"):                        (302, 200, 200, 200, 200, 200, 403, 404),
    ("GET", "/meetings/<int:meeting_id>/invitation.ics"):                    (302, 200, 200, 200, 200, 200, 403, 404),
    ("POST", "/meetings/new"):                                               (302, 403, 403, 403, 422, 422, 403, 422),
    ("POST", "/meetings/<int:meeting_id>/propose"):                          (302, 403, 403, 403, 302, 302, 403, 404),
    ("POST", "/meetings/<int:meeting_id>/items"):                            (302, 403, 403, 403, 422, 422, 403, 404),
    ("POST", "/meetings/<int:meeting_id>/items/<int:item_id>/<action>"):     (302, 403, 403, 403, 302, 403, 403, 404),
    ("POST", "/meetings/<int:meeting_id>/attendance"):                       (302, 403, 403, 403, 302, 302, 403, 404),
    ("POST", "/meetings/<int:meeting_id>/publish"):                          (302, 403, 403, 403, 302, 302, 403, 404),
    ("POST", "/meetings/<int:meeting_id>/approve"):                          (302, 403, 403, 403, 409, 403, 403, 404),
    ("POST", "/meetings/<int:meeting_id>/reschedule"):                       (302, 403, 403, 403, 302, 302, 403, 404),
    ("POST", "/meetings/series"):                                            (302, 403, 403, 403, 422, 422, 403, 422),
    ("POST", "/meetings/series/<int:series_id>/schedule"):                   (302, 403, 403, 403, 302, 302, 403, 404),
    ("POST", "/api/v1/meetings"):                                            (401, 403, 403, 403, 422, 422, 403, 422),
    ("GET", "/api/v1/meetings/<int:meeting_id>"):                            (401, 200, 200, 200, 200, 200, 403, 404),
    ("GET", "/api/v1/meetings/<int:meeting_id>/agenda"):                     (401, 200, 200, 200, 200, 200, 403, 404),
    ("GET", "/api/v1/meetings/<int:meeting_id>/calendar.ics"):               (401, 200, 200, 200, 200, 200, 403, 404),
    ("POST", "/api/v1/meetings/<int:meeting_id>/agenda/items"):              (401, 403, 403, 403, 422, 422, 403, 404),
    ("POST", "/api/v1/meetings/<int:meeting_id>/publish"):                   (401, 403, 403, 403, 200, 200, 403, 404),
    ("POST", "/api/v1/meetings/<int:meeting_id>/action-items"):              (401, 403, 403, 403, 201, 201, 403, 404),
    # ---- the action item, owned by the labour office (admin's agency): its owner, its agency
    # or a coordinator closes it
    ("POST", "/actions/<int:item_id>/done"):                                 (302, 403, 403, 403, 302, 302, 403, 404),
    ("POST", "/api/v1/action-items/<int:item_id>/done"):                     (401, 403, 403, 403, 200, 200, 403, 404),
    # ---- the directory and the MDT action plan: admins manage agencies and members;
    # coordinators and admins edit the action plan
    ("GET", "/directory/agencies/new"):                                      (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/directory/agencies/new"):                                     (302, 403, 403, 403, 403, 422, 403, 403),
    ("GET", "/directory/agencies/<int:agency_id>/edit"):                     (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/directory/agencies/<int:agency_id>/edit"):                    (302, 403, 403, 403, 403, 302, 403, 403),
    ("GET", "/directory/members/new"):                                       (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/directory/members/new"):                                      (302, 403, 403, 403, 403, 422, 403, 403),
    ("GET", "/directory/members/<int:member_id>/edit"):                      (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/directory/members/<int:member_id>/edit"):                     (302, 403, 403, 403, 403, 302, 403, 403),
    ("POST", "/directory/action-plan"):                                      (302, 403, 403, 403, 422, 422, 403, 422),
    ("POST", "/directory/action-plan/<int:entry_id>/remove"):                (302, 403, 403, 403, 302, 302, 403, 404),
    ("GET", "/privacy/audit-export"):                                        (302, 403, 403, 403, 403, 200, 403, 403),
    ("GET", "/privacy/audit-export.csv"):                                    (302, 403, 403, 403, 403, 200, 403, 403),
    # data protection: coordinators (holds, erasure decisions), administrators (retention); the
    # lead agency records a person's request to be erased
    ("GET", "/privacy/"):                                                    (302, 403, 403, 403, 200, 200, 403, 200),
    ("POST", "/privacy/retention"):                                          (302, 403, 403, 403, 403, 422, 403, 403),
    ("POST", "/privacy/cases/<int:case_id>/hold"):                           (302, 403, 403, 403, 302, 404, 403, 404),
    ("POST", "/privacy/cases/<int:case_id>/erasure"):                        (302, 302, 403, 404, 302, 404, 403, 404),
    ("POST", "/privacy/cases/<int:case_id>/copy"):                           (302, 302, 403, 404, 302, 404, 403, 404),
    ("GET", "/privacy/copies/<int:copy_id>"):                                (302, 200, 404, 404, 404, 404, 403, 404),
    ("POST", "/privacy/copies/<int:copy_id>/download"):                       (302, 410, 404, 404, 404, 404, 403, 404),
    ("POST", "/privacy/erasure/<int:request_id>"):                           (302, 403, 403, 403, 422, 403, 403, 404),
    ("GET", "/privacy/alerts"):                                              (302, 403, 403, 403, 200, 403, 403, 200),
    ("GET", "/privacy/alerts/<int:alert_id>"):                               (302, 403, 403, 403, 200, 403, 403, 404),
    ("GET", "/directory/security"):                                          (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/directory/security"):                                         (302, 403, 403, 403, 403, 302, 403, 403),
    ("POST", "/directory/members/<int:member_id>/mfa-reset"):                (302, 403, 403, 403, 403, 302, 403, 403),
    ("GET", "/directory/status"):                                            (302, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/api/v1/agencies"):                                            (401, 403, 403, 403, 403, 422, 403, 403),
    ("POST", "/api/v1/members"):                                             (401, 403, 403, 403, 403, 422, 403, 403),
    ("PATCH", "/api/v1/members/<int:member_id>"):                            (401, 403, 403, 403, 403, 200, 403, 404),
    # ---- the reminder outbox: coordinators and admins, each their own MDT's (the mail file is
    # in the first MDT's folder: the other MDT's coordinator sees its own, empty, outbox)
    ("GET", "/admin/outbox"):                                                (302, 403, 403, 403, 200, 200, 403, 200),
    ("GET", "/admin/outbox/<name>"):                                         (302, 403, 403, 403, 200, 200, 403, 404),
    # ---- the SMS provider's webhooks: no session and no CSRF token; the provider's signature or
    # the shared secret is the credential, and a signed-in member without it is refused like
    # anyone (`records` configures the generic gateway; tests/test_sms.py sends the secret)
    ("POST", "/hooks/sms/<provider>/status"):                                (403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/hooks/sms/<provider>/inbound"):                               (403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on

# Rows whose actual status is wrong (an access leak): (method, rule, role) -> what happens and why
# it is wrong. The row above holds the correct status; the test skips these until they are fixed.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}
# Rows that answer 500 today, the same way.
KNOWN_ERRORS: dict[tuple[str, str, str], str] = {}

# Anonymous requests that redirect somewhere else than the login page.
ANONYMOUS_REDIRECTS_ELSEWHERE = {("POST", "/language")}

# How each URL parameter is filled: the name of a record in ``build_records``.
PARAMS = {
    "case_id": "case",
    "consent_id": "consent",
    "referral_id": "referral",
    "service_id": "service",
    "matter_id": "matter",
    "claimant_id": "claimant",
    "event_id": "event",
    "deadline_id": "deadline",
    "hearing_id": "hearing",
    "meeting_id": "meeting",
    "series_id": "series",
    "item_id": "action_item",
    "agency_id": "agency",
    "member_id": "member",
    "entry_id": "plan_entry",
    "intermediary_id": "intermediary",
    "rule_id": "rule",
    "closure_id": "closure",
    "token_id": "api_token",
    "token": "feed_token",
    "name": "mail",
    "handle": "session_handle",
    "alert_id": "read_alert",
    "request_id": "erasure",
    "draft_id": "draft",
    "copy_id": "data_copy",
    "export_id": "export",
    "relation_id": "relation",
    "merge_id": "merge",
    "document_id": "document",
    "bundle_id": "bundle",
    "triage_id": "triage",
    "conflict_id": "conflict",
    "provider": "sms_provider",
}
# Where a parameter means something else in one rule.
PARAM_OVERRIDES = {
    "/meetings/<int:meeting_id>/items/<int:item_id>/<action>": {
        "item_id": "agenda_item",
        "action": "minutes_action",
    },
}

# Requests that need a query string or a body to reach the access check at all (an empty body
# is refused by input checks made before it, whoever asks).
EXTRA = {
    ("GET", "/api/v1/calendar"): lambda ids: {"query_string": {"from": "2026-01-01", "to": "2026-12-31"}},
    ("GET", "/api/v1/reports/summary"): lambda ids: {
        "query_string": {"from": "2026-01-01", "to": "2026-06-30"}
    },
    ("GET", "/referrals/new"): lambda ids: {"query_string": {"case_id": ids["case"]}},
    ("POST", "/referrals/new"): lambda ids: {"query_string": {"case_id": ids["case"]}},
    ("POST", "/api/v1/referrals"): lambda ids: {"json": {"case_id": ids["case"]}},
    # For social welfare: the other MDT's coordinator gets 422 (no such agency in their MDT).
    ("POST", "/services/new"): lambda ids: {
        "data": {
            "agency_id": ids["sw_agency"],
            "category": "shelter",
            "name": "Night shelter",
        }
    },
    ("POST", "/api/v1/meetings/<int:meeting_id>/action-items"): lambda ids: {
        "json": {
            "title": "Call the employer",
            "owner_agency_id": ids["labour_agency"],
            "due_on": ids["due_on"],
        }
    },
}


def url_rules(app) -> set[tuple[str, str]]:
    """Every (method, rule) the app answers, without HEAD, OPTIONS and the static files."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_has_a_row(app):
    routes = url_rules(app)
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing and not stale, (
        "Routes without a row in EXPECTED (decide who may use them):\n"
        + "".join(f"  {m} {r}\n" for m, r in missing)
        + "Rows for routes that no longer exist:\n"
        + "".join(f"  {m} {r}\n" for m, r in stale)
    )


def test_every_row_is_complete_and_fillable():
    problems = [
        f"{m} {r}: {len(s)} statuses for {len(ROLES)} roles"
        for (m, r), s in EXPECTED.items()
        if len(s) != len(ROLES)
    ]
    for _method, rule in EXPECTED:
        for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule):
            if name not in PARAM_OVERRIDES.get(rule, {}) and name not in PARAMS:
                problems.append(f"{rule}: no record fills <{name}> (add it to PARAMS)")
    for key in [*KNOWN_LEAKS, *KNOWN_ERRORS]:
        if key[:2] not in EXPECTED or key[2] not in ROLES:
            problems.append(f"known problem {key} names no row and role")
    assert not problems, "\n".join(problems)


def build_records(world) -> dict:
    """One record of each kind in the first MDT, made through the services; their ids."""
    sw, legal_aid, labour = (world.agencies[k] for k in ("sw", "legal", "labour"))
    social, lawyer, coordinator, admin = (world[k] for k in ("social", "lawyer", "coordinator", "admin"))
    # Led by social welfare, shared with the legal aid NGO (every part), consent to go to court.
    case = f.client_case(world)
    hidden = f.case(social, given="Hidden", family="Only")  # social welfare's alone
    legal_consent = next(c for c in case.consents if c.purpose == "legal_action")
    referrals.record_consent(
        social,
        case,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": labour.id,
            "scope": f.ALL_PARTS,
        },
    )
    referral = referrals.create_referral(
        social,
        {"case_id": case.id, "to_agency_id": labour.id, "service": "livelihood_grant"},
    )
    service = referrals.save_service(
        social, {"agency_id": sw.id, "category": "shelter", "name": "Emergency shelter"}
    )
    db.session.commit()

    matter = f.matter(world, [case])
    event, deadlines = legal.record_event(
        lawyer, matter, {"kind": "judgment_read", "occurred_on": "2025-12-19"}
    )
    hearing = legal.schedule_hearing(lawyer, matter, {"starts_at": f.at(20), "purpose": "Witnesses"})
    closure, _moved = legal.save_closure(
        admin, {"jurisdiction": "TH", "day": "2026-01-06", "reason": "Flood"}
    )
    rule = db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.id)).first()

    meeting = meetings.create_meeting(
        coordinator,
        {
            "title": "Case conference",
            "kind": "case_conference",
            "starts_at": f.at(3),
            "host_agency_id": sw.id,
        },
    )
    agenda_item = meetings.add_item(coordinator, meeting, {"title": "Her debts", "case_id": hidden.id})
    action = meetings.create_action_item(
        coordinator,
        meeting,
        {
            "title": "Visit the family",
            "case_id": hidden.id,
            "owner_agency_id": labour.id,
            "due_on": f.at(5)[:10],
        },
    )
    series = MeetingSeries(
        mdt_id=world.mdt.id,
        title="Monthly MDT",
        kind="regular",
        rrule="FREQ=MONTHLY;BYDAY=1TH",
        dtstart=meeting.starts_at,
        rotation=[sw.id, labour.id],
    )
    db.session.add(series)
    entry = directory.add_plan_entry(coordinator, {"responsibility": "Shelter", "agency_id": sw.id})
    api_token, _raw = create_token(social, "revocable")
    _feed, feed_token = calendar.create_feed(social)
    draft = cases_services.save_draft(social, {"given_name": "Unfinished"})
    erasure = ErasureRequest(mdt_id=world.mdt.id, case_id=case.id, requested_by_id=social.id)
    data_copy = DataCopy(mdt_id=world.mdt.id, case_id=case.id, requested_by_id=social.id, language="en")
    respondent = db.session.get(Intermediary, matter.respondents[0].intermediary_id)
    twin = Intermediary(mdt_id=world.mdt.id, name="Siam Overseas Manpower Co.", kind="recruitment_agency")
    db.session.add(twin)
    db.session.flush()
    owner = Intermediary(mdt_id=world.mdt.id, name="Khun Somchai", kind="broker")
    db.session.add(owner)
    db.session.flush()
    relation = monitoring.add_relation(
        world["coordinator"], respondent, {"related_id": owner.id, "role": "owner"}
    )
    merged = monitoring.merge(world["coordinator"], respondent, twin)
    made_export = export.request_export(
        world["coordinator"],
        {"kind": "deidentified", "format": "csv", "from": "2026-01-01", "to": "2026-06-30"},
    )
    document = documents.add(
        social, case, {"kind": "photo", "title": "The dormitory"}, io.BytesIO(PNG), "dormitory.png"
    )
    court_bundle = bundle.request_bundle(lawyer, hearing, [document.id])
    db.session.commit()  # the task writes its progress on a connection of its own
    export.make(made_export.id)
    db.session.add_all([erasure, data_copy])
    read_alert = ReadAlert(
        mdt_id=world.mdt.id, member_id=social.id, since=clock.now(), cases=41, outside=0, case_ids=[case.id]
    )
    db.session.add(read_alert)
    db.session.commit()  # the rate limit counts on a connection of its own
    complaint, _code, _phrase = triage.complain(
        {"what_happened": "My wages were not paid.", "mdt_id": world.mdt.id}, "203.0.113.9"
    )
    conflict = SyncConflict(
        case_id=case.id,
        member_id=social.id,
        field="summary",
        server={"value": "As written at the office"},
        yours={"value": "As written in the village"},
        base_version=1,
    )
    db.session.add(conflict)
    db.session.commit()
    (outbox_dir(world.mdt.id) / MAIL_NAME).write_bytes(
        b"To: social@test.org\r\nSubject: Reminder\r\nDate: Mon, 1 Dec 2025 09:00:00 +0700\r\n"
        b"Content-Type: text/plain\r\n\r\nA hearing is coming.\r\n"
    )
    return {
        "case": case.id,
        "consent": legal_consent.id,
        "referral": referral.id,
        "service": service.id,
        "matter": matter.id,
        "claimant": matter.claimants[0].id,
        "event": event.id,
        "deadline": deadlines[0].id,
        "hearing": hearing.id,
        "closure": closure.id,
        "rule": rule.id,
        "meeting": meeting.id,
        "agenda_item": agenda_item.id,
        "minutes_action": "minutes",
        "action_item": action.id,
        "series": series.id,
        "plan_entry": entry.id,
        "agency": legal_aid.id,
        "member": world["social2"].id,
        "intermediary": matter.respondents[0].intermediary_id,
        "api_token": api_token.id,
        "feed_token": feed_token,
        "mail": MAIL_NAME,
        "read_alert": read_alert.id,
        "erasure": erasure.id,
        "draft": draft.id,
        "data_copy": data_copy.id,
        "export": made_export.id,
        "relation": relation.id,
        "merge": merged.id,
        "document": document.id,
        "bundle": court_bundle.id,
        "triage": complaint.id,
        "conflict": conflict.id,
        "sms_provider": "http",
        "session_handle": "0" * 16,  # nobody's: ending it is refused for everyone
        "sw_agency": sw.id,
        "labour_agency": labour.id,
        "due_on": f.at(5)[:10],
    }


@pytest.fixture
def records(world, web_app):
    ids = build_records(world)
    web_app.config.update(MDT_SMS_PROVIDER="http", MDT_SMS_WEBHOOK_SECRET="route-matrix-secret")
    mail = outbox_dir(world.mdt.id) / MAIL_NAME
    yield ids
    mail.unlink(missing_ok=True)


def fill(rule: str, ids: dict) -> str:
    overrides = PARAM_OVERRIDES.get(rule, {})

    def value(match):
        name = match.group(1).split(":")[-1]
        return str(ids[overrides.get(name) or PARAMS[name]])

    return re.sub(r"<([^>]+)>", value, rule)


class Snapshot:
    """The SQLite database as it was, put back with SQLite's backup API (safe with the app's
    pooled connections open)."""

    def __init__(self, app):
        self.path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        self.copy = sqlite3.connect(":memory:")
        with sqlite3.connect(self.path) as live:
            live.backup(self.copy)

    def restore(self) -> None:
        live = sqlite3.connect(self.path)
        try:
            self.copy.backup(live)
        finally:
            live.close()

    def close(self) -> None:
        self.copy.close()


def actual_statuses(web_app, client, world, ids, role) -> dict[tuple[str, str], int | str]:
    """What each (method, rule) answers ``role``, each request on the same database."""
    headers, email = {}, None
    if role != "anonymous":
        email = world[role].email
        headers = {"Authorization": f"Bearer {f.token(world[role])}"}
    db.session.remove()  # the test's own session lets go of the database
    name = web_app.config["SESSION_COOKIE_NAME"]
    cookie = None
    if email is not None:
        assert client.post("/login", data={"email": email, "password": f.PASSWORD}).status_code == 302, role
        cookie = client.get_cookie(name).value
    snapshot = Snapshot(web_app)  # with the session stored: each restore signs the member in again
    got = {}
    try:
        for method, rule in sorted(url_rules(web_app)):
            if cookie is not None:
                client.set_cookie(name, cookie)  # undo /logout and /language
            kwargs = {}
            if rule.startswith("/api/"):
                kwargs["headers"] = headers
                if method in ("POST", "PATCH"):
                    kwargs["json"] = {}
            elif method == "POST":
                kwargs["data"] = {}
            if (method, rule) in EXTRA:
                kwargs.update(EXTRA[(method, rule)](ids))
            r = client.open(fill(rule, ids), method=method, **kwargs)
            outcome: int | str = r.status_code
            if (
                role == "anonymous"
                and r.status_code == 302
                and (method, rule) not in ANONYMOUS_REDIRECTS_ELSEWHERE
                and not r.headers["Location"].startswith("/login")
            ):
                outcome = f"302 to {r.headers['Location']}"
            got[(method, rule)] = outcome
            if method != "GET":
                snapshot.restore()
    finally:
        snapshot.close()
    return got


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(world, records, web_app, client, role):
    if not web_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the route matrix restores a SQLite file between requests")
    got = actual_statuses(web_app, client, world, records, role)
    column = ROLES.index(role)
    mismatches = []
    for key, outcome in sorted(got.items()):
        if key + (role,) in KNOWN_LEAKS or key + (role,) in KNOWN_ERRORS:
            continue
        expected = EXPECTED[key][column] if key in EXPECTED else "no row in EXPECTED"
        if outcome != expected:
            mismatches.append(f"  {key[0]:6} {key[1]}: expected {expected}, got {outcome}")
    assert not mismatches, f"{len(mismatches)} route(s) answer {role} unexpectedly:\n" + "\n".join(mismatches)
