namespace Functions.Cli.Api;

/// <summary>One page of a list, as the control plane pages them (<c>?pageIndex=0&amp;pageSize=20</c>).</summary>
internal sealed record Page<T>(int PageIndex, int PageSize, long Count, IReadOnlyList<T> Items);
