using Microsoft.AspNetCore.Http.HttpResults;
using Sensors360.Contracts;

namespace Monitor.Worker.Monitoring;

/// <summary>What the AppHost's resource commands ask of the worker (docs/operations.md).</summary>
public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ScanReport.Path, ScanNow).ExcludeFromDescription();
        return app;
    }

    static async Task<Ok<ScanReport>> ScanNow(PeriodicWorkService work, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await work.ScanNowAsync(cancellationToken);
        return TypedResults.Ok(new ScanReport(clock.GetUtcNow(), result.Flips, result.StaleCount));
    }
}
