namespace Functions.Runtime;

/// <summary>A host directory the module sees at <paramref name="GuestPath"/>; read-only unless <paramref name="Writable"/>.</summary>
public sealed record Volume(string GuestPath, string HostPath, bool Writable = false);
