namespace Functions.Contracts.Api;

/// <summary>
/// The records of an app's recent window that match a query, oldest first. Not paged: the window is bounded
/// (<c>Functions:Logs:RecordsPerApp</c>) and <c>limit</c> keeps the newest N.
/// </summary>
/// <param name="Items">The matching records, oldest first.</param>
public sealed record LogRecordList(IReadOnlyList<LogRecordView> Items);
