namespace Functions.Runtime;

/// <summary>What <see cref="FunctionPool.TryAdmit"/> answered.</summary>
public enum Admission
{
    /// <summary>Admitted: the lease holds one of the function's concurrency slots.</summary>
    Admitted,

    /// <summary>The function is at its concurrency limit.</summary>
    Busy,

    /// <summary>The pool was retired (a newer state serves the route) or disposed: look the route up again.</summary>
    Retired,
}
