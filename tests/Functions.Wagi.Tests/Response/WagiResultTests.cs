using System.Text;
using System.Text.Json;

namespace Functions.Wagi.Tests.Response;

public sealed class WagiResultTests
{
    private const string RequestId = "req-42";
    private const string Good = "Content-Type: text/plain\n\nhello";
    private const string WithStatus = "Status: 409 Conflict\nContent-Type: text/plain\n\ntaken";
    private const string WithBadStatus = "Status: nope\nContent-Type: text/plain\n\ntaken";

    public static TheoryData<ExecutionOutcome, string, int, bool> FailureTable => new()
    {
        // outcome, stdout, status, is the module's own response
        { ExecutionOutcome.Completed, Good, 200, true },
        { ExecutionOutcome.Completed, WithStatus, 409, true },
        { ExecutionOutcome.Completed, "no headers", 500, false },
        { ExecutionOutcome.Completed, WithBadStatus, 502, false },
        { ExecutionOutcome.ExitedWithError, Good, 500, false },
        { ExecutionOutcome.ExitedWithError, "", 500, false },
        { ExecutionOutcome.ExitedWithError, WithStatus, 409, true },
        { ExecutionOutcome.ExitedWithError, "Status: 409\nContent-Type: text/plain\n", 500, false },
        { ExecutionOutcome.ExitedWithError, WithBadStatus, 502, false },
        { ExecutionOutcome.Trapped, Good, 500, false },
        { ExecutionOutcome.Trapped, WithStatus, 500, false },
        { ExecutionOutcome.TimedOut, Good, 504, false },
        { ExecutionOutcome.TimedOut, "", 504, false },
        { ExecutionOutcome.OutputLimitExceeded, Good, 502, false },
    };

    [Theory]
    [MemberData(nameof(FailureTable))]
    public void Each_way_a_run_ends_maps_to_the_contract_response(ExecutionOutcome outcome, string stdout, int status, bool fromModule)
    {
        var response = WagiResult.From(outcome, Encoding.UTF8.GetBytes(stdout), RequestId);

        Assert.Equal(status, response.Status);
        Assert.Equal(fromModule, response.IsFromModule);
        if (!fromModule)
        {
            Assert.Equal([new("Content-Type", WagiResult.TextContentType)], response.Headers);
            Assert.Contains(RequestId, Encoding.UTF8.GetString(response.Body.Span), StringComparison.Ordinal);
            Assert.NotEmpty(response.Problems);
        }
    }

    [Fact]
    public void A_non_zero_exit_after_a_complete_response_with_Status_sends_that_response_and_notes_the_exit()
    {
        var response = WagiResult.From(ExecutionOutcome.ExitedWithError, Encoding.UTF8.GetBytes(WithStatus), RequestId);

        Assert.Equal("taken", Encoding.UTF8.GetString(response.Body.Span));
        Assert.Equal("Conflict", response.Reason);
        Assert.Contains(response.Problems, p => p.Contains("non-zero", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ExecutionOutcome.Trapped, "unreachable executed at 0x1234")]
    [InlineData(ExecutionOutcome.Completed, "Content-Type: text/plain")]
    public void An_error_body_names_the_request_id_and_reveals_nothing_of_the_module(ExecutionOutcome outcome, string secret)
    {
        var stdout = Encoding.UTF8.GetBytes(secret + "\nsecret output");

        var response = WagiResult.From(outcome, stdout, RequestId);

        var body = Encoding.UTF8.GetString(response.Body.Span);
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        Assert.Contains(RequestId, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "404 Not Found: no function is bound to this path.\nRequest id: req-42\n")]
    [InlineData(413, "413 Content Too Large: the request body is larger than this route accepts.\nRequest id: req-42\n")]
    [InlineData(500, "500 Internal Server Error: the function failed.\nRequest id: req-42\n")]
    [InlineData(502, "502 Bad Gateway: the function's response was not valid.\nRequest id: req-42\n")]
    [InlineData(504, "504 Gateway Timeout: the function did not answer in time.\nRequest id: req-42\n")]
    [InlineData(599, "599 Error: the request could not be served.\nRequest id: req-42\n")]
    public void A_text_error_body_is_one_short_line_and_the_request_id(int status, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(WagiResult.ErrorBody(status, RequestId, problemJson: false)));
    }

    [Fact]
    public void A_problem_json_error_body_follows_RFC_9457()
    {
        var response = WagiResult.From(ExecutionOutcome.TimedOut, default, "id-\"quoted\"", problemJson: true);

        Assert.Equal([new("Content-Type", WagiResult.ProblemJsonContentType)], response.Headers);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("about:blank", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("Gateway Timeout", json.RootElement.GetProperty("title").GetString());
        Assert.Equal(504, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("id-\"quoted\"", json.RootElement.GetProperty("requestId").GetString());
    }

    [Fact]
    public void An_error_response_for_a_missing_route_carries_its_reason_and_body()
    {
        var response = WagiResult.Error(404, RequestId, problemJson: false, "no route for /nope");

        Assert.Equal(404, response.Status);
        Assert.Equal("Not Found", response.Reason);
        Assert.False(response.IsFromModule);
        Assert.Equal(["no route for /nope"], response.Problems);
        Assert.StartsWith("404 Not Found", Encoding.UTF8.GetString(response.Body.Span), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("*/*", false)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/json", true)]
    [InlineData("text/plain, Application/JSON;q=0.5", true)]
    [InlineData("application/json;q=0", false)]
    [InlineData("application/json; charset=utf-8; q=0.0", false)]
    public void Problem_json_is_chosen_only_when_the_client_accepts_json(string? accept, bool expected)
    {
        Assert.Equal(expected, WagiResult.AcceptsProblemJson(accept));
    }

    [Fact]
    public void An_unknown_outcome_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WagiResult.From((ExecutionOutcome)99, default, RequestId));
    }
}
