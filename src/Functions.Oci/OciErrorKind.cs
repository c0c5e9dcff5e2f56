namespace Functions.Oci;

/// <summary>Why a pull or a push failed; callers map these to status codes.</summary>
public enum OciErrorKind
{
    InvalidReference,
    InsecureNotAllowed,
    Unreachable,
    Unauthorized,
    Denied,
    NotFound,
    UnsupportedManifest,
    NoWasmLayer,
    DigestMismatch,
    SizeMismatch,
    TooLarge,
    Protocol,
}
