using Microsoft.AspNetCore.Http.HttpResults;

namespace Monitor.Worker.Monitoring;

/// <param name="Transitions">Sensors this scan moved to late or down.</param>
/// <param name="Stale">Sensors stale after it.</param>
public sealed record ScanReport(DateTimeOffset At, int Transitions, int Stale);

/// <summary>What the AppHost's resource commands ask of the worker (docs/operations.md).</summary>
public static class OperationsApi
{
    public const string ScanPath = "/internal/scan";

    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ScanPath, ScanNow).ExcludeFromDescription();
        return app;
    }

    static async Task<Ok<ScanReport>> ScanNow(PeriodicWorkService work, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await work.ScanNowAsync(cancellationToken);
        return TypedResults.Ok(new ScanReport(clock.GetUtcNow(), result.Flips, result.StaleCount));
    }
}
