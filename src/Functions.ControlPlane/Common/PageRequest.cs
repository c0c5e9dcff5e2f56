using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Functions.ControlPlane.Common;

/// <summary>
/// The paging query parameters of every list (<c>?pageIndex=0&amp;pageSize=20</c>), read and checked in one place: a
/// value that is not a whole number, out of range, or whose offset (<c>pageIndex × pageSize</c>) would not fit the
/// database's offset answers 400 naming the parameter, instead of the framework's bare 400 or an overflow's 500.
/// </summary>
public sealed record PageRequest(int PageIndex, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Largest offset a page may start at (EF Core's <c>Skip</c> takes an <see cref="int"/>).</summary>
    public const long MaxOffset = int.MaxValue;

    /// <summary>What is wrong with the parameters, by name; null when they are good.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; private init; }

    public int Offset => PageIndex * PageSize;

    /// <summary>A 400 naming each bad parameter, or null.</summary>
    public ProblemHttpResult? Problem =>
        Errors is null ? null : Problems.Validation(Errors.ToDictionary(), "Fix the paging parameters listed in 'errors'.");

    public IQueryable<T> Apply<T>(IQueryable<T> ordered) => ordered.Skip(Offset).Take(PageSize);

    public PaginatedItems<T> Of<T>(long count, IReadOnlyList<T> items) => new(PageIndex, PageSize, count, items);

    /// <summary>Minimal APIs bind the type through this (the OpenAPI filter documents the two integer parameters).</summary>
    public static ValueTask<PageRequest?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<PageRequest?>(Parse(context.Request.Query["pageIndex"], context.Request.Query["pageSize"]));

    public static PageRequest Parse(string? pageIndex, string? pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        var index = ParseInt("pageIndex", pageIndex, 0, errors);
        var size = ParseInt("pageSize", pageSize, DefaultPageSize, errors);
        if (index is { } i && i < 0)
        {
            errors["pageIndex"] = [$"pageIndex is zero-based and cannot be negative; got {i}."];
        }

        if (size is { } s && s is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}; got {s}."];
        }

        if (errors.Count == 0 && (long)index!.Value * size!.Value > MaxOffset)
        {
            errors["pageIndex"] =
            [
                $"pageIndex × pageSize (the offset of the page) must be at most {MaxOffset}; got {index} × {size}. " +
                $"With pageSize {size} the last possible page is {MaxOffset / size}, far past the end of any list: " +
                "read 'count' from the first page.",
            ];
        }

        return errors.Count == 0
            ? new PageRequest(index!.Value, size!.Value)
            : new PageRequest(0, DefaultPageSize) { Errors = errors };
    }

    private static int? ParseInt(string name, string? text, int fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        var shown = text.Length > 32 ? text[..32] + "…" : text;
        errors[name] = [$"{name} must be a whole number (at most {int.MaxValue}); got '{shown}'."];
        return null;
    }
}
