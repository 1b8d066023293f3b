"""Domain errors of participation; each maps to one RFC 7807 problem (status and stable slug)."""

from citypocket.core.problems import Conflict, DomainError, InvalidValues, PermissionDenied


class AuthenticationRequired(DomainError):
    status = 401
    slug = "unauthorized"


class EmailNotVerified(PermissionDenied):
    slug = "email-not-verified"


class ResidentRequired(PermissionDenied):
    slug = "resident-required"


class PhaseClosed(Conflict):
    slug = "phase-closed"


class VotingClosed(Conflict):
    slug = "voting-closed"


class InvalidBallot(InvalidValues):
    slug = "invalid-ballot"


class MeetingFull(Conflict):
    slug = "meeting-full"


class VerificationFailed(InvalidValues):
    slug = "verification-failed"


class ProofAlreadyUsed(VerificationFailed):
    """A proof of residency (census identity, letter code) that already verified an account."""

    slug = "proof-already-used"
