namespace Functions.Runtime.Outbound;

/// <summary>One outbound call, as handed to the observer the runtime was given (the worker's metrics).</summary>
/// <param name="Function">The function's name (<see cref="FunctionSettings.Name"/>).</param>
/// <param name="RequestId">The invocation's request id, when it has one.</param>
/// <param name="Outcome">How the call ended.</param>
public readonly record struct OutboundCallRecord(string Function, string? RequestId, OutboundOutcome Outcome);
