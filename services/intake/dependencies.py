"""What intake's routes receive as dependencies: its context, a database session, and the staff
user allowed to change intake's records. (The records of an id that a caller may see are the
dependencies of each sub-domain's api.py; the employer behind an API key is employers/api.py's.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import StaffUser, require_role
from shared.service import ServiceContext, context_dependency, session_dependency

IntakeContext = Annotated[ServiceContext, Depends(context_dependency("intake"))]
Session = Annotated[AsyncSession, Depends(session_dependency("intake"))]
# Staff who act on notices, match reviews and duplicate reviews (an admin account alone may not).
CaseStaff = Annotated[StaffUser, require_role("caseworker", "coordinator")]
