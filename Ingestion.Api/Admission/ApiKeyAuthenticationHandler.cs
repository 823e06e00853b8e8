using System.Runtime.ExceptionServices;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Ingestion.Api.Apis;
using Ingestion.Api.Credentials;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;

namespace Ingestion.Api.Admission;

/// <summary>
/// The sensor or collector key, as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>, checked
/// against the in-memory <see cref="CredentialCache"/>; a key the cache does not know is looked up in the registry
/// once (<see cref="CredentialLookup"/>) before it is refused. Its challenge and forbid answers are the API's 401, 503
/// (registry not loaded yet) and 403 (retired sensor) problems.
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CredentialCache credentials, CredentialLookup lookup)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    const string BearerPrefix = "Bearer ";

    // The refusals' results are shared rather than allocated per request; challenge tells them apart by reference.
    static readonly Task<AuthenticateResult> NoKey = Task.FromResult(AuthenticateResult.NoResult());
    static readonly AuthenticateResult Starting = AuthenticateResult.Fail("The sensor registry is not loaded yet.");
    static readonly AuthenticateResult UnknownKey = AuthenticateResult.Fail("The key is not known.");
    static readonly Task<AuthenticateResult> StartingTask = Task.FromResult(Starting);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key.IsEmpty)
        {
            return NoKey;
        }
        if (credentials.LoadedAt is null)
        {
            return StartingTask;
        }

        var digest = KeyDigest.OfKey(key);
        return HeartbeatCaller.Identify(credentials.Current, digest) is { } caller
            ? Task.FromResult(Authenticated(caller))
            : LookUpAsync(digest);
    }

    async Task<AuthenticateResult> LookUpAsync(KeyDigest digest) =>
        await lookup.TryAddKeyAsync(digest, Context.RequestAborted)
        && HeartbeatCaller.Identify(credentials.Current, digest) is { } caller
            ? Authenticated(caller)
            : UnknownKey;

    static AuthenticateResult Authenticated(HeartbeatCaller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(caller), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result == Starting)
        {
            await HeartbeatProblems.RetryLater(Context, StatusCodes.Status503ServiceUnavailable,
                HeartbeatProblems.UnavailableRetryAfterSeconds, "Starting",
                "The API is still loading the sensor registry; send the request again after the Retry-After delay.").ExecuteAsync(Context);
        }
        else if (result == UnknownKey)
        {
            await HeartbeatProblems.Unauthorized(Context, "Unknown key",
                "The key is not known: it may be mistyped, rotated, or its collector key revoked. Keys start with "
                + $"'{ApiKeys.SensorPrefix}' (a sensor) or '{ApiKeys.CollectorPrefix}' (a collector).").ExecuteAsync(Context);
        }
        else if (result.Failure is { } error)
        {
            // Not a refusal but an error while checking (the client went away during a lookup): it propagates as it
            // did from the endpoint, rather than pass for a bad key.
            ExceptionDispatchInfo.Throw(error);
        }
        else
        {
            await HeartbeatProblems.Unauthorized(Context, "Missing key",
                $"Send the sensor's key as 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>'.").ExecuteAsync(Context);
        }
    }

    /// <summary>An identified caller is refused only for a retired sensor (see <see cref="HeartbeatAdmission"/>).</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (HeartbeatCaller.Of(Context).Sensor is not { RetiredAt: { } retiredAt } retired)
        {
            return base.HandleForbiddenAsync(properties);
        }
        LogRetiredSensorRefused(Logger, retired.SensorId);
        return HeartbeatProblems.Problem(StatusCodes.Status403Forbidden, "Sensor retired",
            $"Sensor {retired.SensorId} was retired at {retiredAt:O} and accepts no more heartbeats; use its replacement's key.")
            .ExecuteAsync(Context);
    }

    /// <summary>The key, trimmed; empty when neither header carries one. A non-Bearer Authorization header is ignored.</summary>
    static ReadOnlySpan<char> PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return authorization.AsSpan(BearerPrefix.Length).Trim();
        }
        return request.Headers[ApiKeyHeader].ToString().AsSpan().Trim();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused heartbeats from retired sensor {SensorId}")]
    static partial void LogRetiredSensorRefused(ILogger logger, long sensorId);
}
