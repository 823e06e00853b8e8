using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class RequestProblemsExtensions
{
    /// <summary>
    /// Problem details for every error answer, and for requests the framework cannot bind (malformed or mistyped
    /// JSON, a wrong content type, an unreadable route or query value) the 4xx with the reason as its detail.
    /// </summary>
    /// <remarks>
    /// By default a binding failure is a bare 400/415 outside Development and an exception — answered 500 by the
    /// exception handler — inside it. Throwing everywhere sends all of them through <see cref="BadRequestProblems"/>.
    /// </remarks>
    public static IServiceCollection AddRequestProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Minimal APIs refuse a JSON-bound body of another media type with a bare 415, even when throwing.
            if (context.ProblemDetails is { Status: StatusCodes.Status415UnsupportedMediaType, Detail: null })
            {
                context.ProblemDetails.Detail =
                    $"Send the body as 'application/json', not '{context.HttpContext.Request.ContentType ?? "without a content type"}'.";
            }
        });
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblems>();
        return services;
    }
}

/// <summary>Answers a <see cref="BadHttpRequestException"/> with its own status and what was wrong.</summary>
public sealed class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = ReasonPhrases.GetReasonPhrase(bad.StatusCode),
                // The JSON reader's message names the property path and position ("Path: $.tag | LineNumber: 0 …").
                Detail = bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message,
            },
        });
    }
}
