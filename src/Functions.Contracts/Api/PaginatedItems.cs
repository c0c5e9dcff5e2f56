namespace Functions.Contracts.Api;

/// <summary>One page of a list.</summary>
/// <param name="PageIndex">Zero-based page number.</param>
/// <param name="PageSize">Items per page.</param>
/// <param name="Count">Items in the whole list.</param>
/// <param name="Items">This page's items.</param>
public sealed record PaginatedItems<T>(int PageIndex, int PageSize, long Count, IReadOnlyList<T> Items);
