namespace Functions.ControlPlane.Common;

/// <summary>One page of a list.</summary>
/// <param name="PageIndex">Zero-based page number.</param>
/// <param name="PageSize">Items per page.</param>
/// <param name="Count">Items in the whole list.</param>
/// <param name="Items">This page's items.</param>
public sealed record PaginatedItems<T>(int PageIndex, int PageSize, long Count, IReadOnlyList<T> Items);

/// <summary>Paging query parameters: <c>?pageIndex=0&amp;pageSize=20</c>.</summary>
public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Checks the paging parameters; a problem says what to send instead.</summary>
    public static Dictionary<string, string[]>? Validate(int pageIndex, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (pageIndex < 0)
        {
            errors["pageIndex"] = [$"pageIndex is zero-based and cannot be negative; got {pageIndex}."];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}; got {pageSize}."];
        }

        return errors.Count == 0 ? null : errors;
    }
}
