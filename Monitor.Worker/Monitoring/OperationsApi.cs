using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Monitor.Worker.Prediction;
using Sensors360.Contracts;
using Sensors360.Monitoring.Prediction;

namespace Monitor.Worker.Monitoring;

/// <summary>What the AppHost's resource commands ask of the worker (docs/operations.md).</summary>
public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ScanReport.Path, ScanNow).ExcludeFromDescription();
        app.MapPost(ScoreReport.Path, ScoreNow).ExcludeFromDescription();
        return app;
    }

    /// <summary>A scoring pass now, also between scheduled ones; refused while prediction is off or another pass runs.</summary>
    static async Task<Results<Ok<ScoreReport>, ProblemHttpResult>> ScoreNow(
        PredictionService prediction, IOptions<PredictionOptions> options, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return TypedResults.Problem(statusCode: 409, title: "Prediction is off",
                detail: "Failure prediction is disabled (Monitor:Prediction:Enabled=false), so the fleet is not scored.");
        }
        return await prediction.ScoreNowAsync(cancellationToken) is { } report
            ? TypedResults.Ok(report)
            : TypedResults.Problem(statusCode: 409, title: "A pass is running",
                detail: "Another scoring pass is running; its results will be stored when it ends.");
    }

    static async Task<Ok<ScanReport>> ScanNow(PeriodicWorkService work, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await work.ScanNowAsync(cancellationToken);
        return TypedResults.Ok(new ScanReport(clock.GetUtcNow(), result.Flips, result.StaleCount));
    }
}
