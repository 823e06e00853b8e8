using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Realtime.Gateway.Infrastructure;

namespace Realtime.Gateway.Identity;

public static class IdentitySetup
{
    public const string OperatorsScheme = "Operators";
    public const string SignInRateLimit = "sign-in";
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";
    public const string SessionCookie = "sensors360.session";
    public const string AntiforgeryCookie = "sensors360.antiforgery";

    /// <summary>
    /// ASP.NET Core Identity (EF stores) with a session cookie for browsers and bearer tokens for scripts; one policy
    /// per role; antiforgery for cookie writes; a per-address limit on sign-in attempts, by the client's real address
    /// (X-Forwarded-For from configured proxies only); lockout per user name, known or not.
    /// </summary>
    public static void AddOperatorsIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddIdentity<IdentityUser, IdentityRole>(options =>
            {
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-";
            })
            .AddEntityFrameworkStores<GatewayDbContext>();
        // PBKDF2-HMAC-SHA512 (Identity's v3 format) at OWASP's PBKDF2-HMAC-SHA256 count, above its SHA-512 count (210,000).
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = 600_000);
        // From the validated GatewayOptions, read when each of these options is first needed.
        services.AddOptions<IdentityOptions>().Configure<IOptions<GatewayOptions>>((options, gateway) =>
            options.Lockout.DefaultLockoutTimeSpan = gateway.Value.LockoutDuration);
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<GatewayOptions>>((options, gateway) =>
            options.ValidationInterval = gateway.Value.SessionRevalidation);
        services.AddSingleton<NameLockouts>();
        services.AddHostedService<NameLockoutPurge>();
        services.AddSingleton<AccessRevocations>();
        services.AddDataProtection().SetApplicationName("Sensors360.Gateway").PersistKeysToDbContext<GatewayDbContext>();

        // With a certificate the gateway serves browsers over HTTPS only, so its cookies are Secure and carry the __Host-
        // prefix: a browser then keeps them only if they are Secure, for Path=/ and this exact host (no Domain), so no
        // plain-HTTP page or sibling subdomain can plant or overwrite them. Without one (a local demo) they cannot be Secure.
        var https = builder.Configuration.HasCertificate();
        var cookiePrefix = https ? "__Host-" : "";
        var securePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = cookiePrefix + SessionCookie;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = securePolicy;
            cookie.Cookie.Path = "/";
            cookie.Cookie.Domain = null;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            // An API and a SPA: answer 401/403, never redirect to a login page.
            cookie.Events.OnRedirectToLogin = context =>
                AuthProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized", AuthProblems.SignInFirst);
            cookie.Events.OnRedirectToAccessDenied = context => AuthProblems.ForbiddenAsync(context.HttpContext);
            cookie.Events.OnValidatePrincipal = context =>
            {
                // A cookie from before an Admin revoked its user's access has its security stamp checked now rather
                // than at the next SessionRevalidation: it no longer matches, and the session ends with this request.
                if (context.Principal is { } user
                    && context.HttpContext.RequestServices.GetRequiredService<AccessRevocations>().RevokedSince(user, context.Properties.IssuedUtc))
                {
                    context.Properties.IssuedUtc = null;
                }
                return SecurityStampValidator.ValidatePrincipalAsync(context);
            };
        });

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = OperatorsScheme;
                options.DefaultAuthenticateScheme = OperatorsScheme;
                options.DefaultChallengeScheme = OperatorsScheme;
                options.DefaultForbidScheme = OperatorsScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(OperatorsScheme, "Session cookie or bearer token", options => options.ForwardDefaultSelector = context =>
                ApiTokenAuthenticationHandler.HasBearer(context.Request) ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme);

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, policy => policy.RequireRole(Roles.AtLeast(Roles.Viewer)))
            .AddPolicy(Policies.Operator, policy => policy.RequireRole(Roles.AtLeast(Roles.Operator)))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.AtLeast(Roles.Admin)));

        services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeader;
            options.Cookie.Name = cookiePrefix + AntiforgeryCookie;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = securePolicy;
            options.Cookie.Path = "/";
            options.Cookie.Domain = null;
        });

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(SignInRateLimit, context => RateLimitPartition.GetTokenBucketLimiter(
                ClientPartition(context.Connection.RemoteIpAddress),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = SignInLimit(context).Burst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) / SignInLimit(context).PerMinute,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            options.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(AuthProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many sign-in attempts",
                    $"Too many sign-in attempts from this address; try again in {seconds} s."));
            };
        });
    }

    /// <summary>
    /// Cookie-authenticated writes (anything but GET/HEAD/OPTIONS/TRACE) must carry the antiforgery token in
    /// X-XSRF-TOKEN. Bearer requests carry no ambient credentials and need none; sign-in itself checks the password.
    /// </summary>
    public static IApplicationBuilder UseAntiforgeryForCookieWrites(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsTrace(request.Method)
            || context.User.Identity is not { IsAuthenticated: true, AuthenticationType: var type } || type != IdentityConstants.ApplicationScheme
            || request.Path.StartsWithSegments("/api/auth/login") || request.Path.StartsWithSegments("/api/auth/token"))
        {
            await next(context);
            return;
        }
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            await AuthProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "Antiforgery token missing or invalid",
                $"Writes with the session cookie need the token from GET /api/auth/antiforgery (fetched after signing in) in the {AntiforgeryHeader} header.");
            return;
        }
        await next(context);
    });

    /// <summary>
    /// The client's address as the sign-in limit counts it: an IPv4 address, or the /64 an IPv6 address belongs to
    /// (one subscriber usually holds a whole /64, and could otherwise take a fresh bucket per address).
    /// </summary>
    public static string ClientPartition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto, believed only from <see cref="GatewayOptions.ForwardedHeaders"/>'s
    /// proxies. ASP.NET Core trusts loopback by default; here every local client reaches the gateway through DCP's
    /// proxy on 127.0.0.1, so that default would let any client choose its own address.
    /// </summary>
    public static void AddTrustedForwardedHeaders(this IServiceCollection services) =>
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((options, gateway) =>
        {
            var settings = gateway.Value.ForwardedHeaders;
            // The middleware believes everyone when both lists are empty, so with no proxy configured it reads nothing.
            options.ForwardedHeaders = settings.KnownProxies.Length + settings.KnownNetworks.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = settings.ForwardLimit;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list still holds its own loopback default
            options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in settings.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var network in settings.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

    static AuthRateLimitOptions SignInLimit(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AuthRateLimit;
}
