namespace Realtime.Gateway.Identity;

/// <summary>RFC 9457 answers written from authentication handlers and middleware (outside endpoint results).</summary>
public static class AuthProblems
{
    public const string SignInFirst =
        "Sign in first: POST /api/auth/login (browsers) or send 'Authorization: Bearer <token>' (scripts).";

    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    public static Task ForbiddenAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
        $"Your role ({OperatorClaims.RoleOf(context.User) ?? "none"}) does not allow this. " +
        "Viewers read; Operators also register, rotate, retire and replace sensors; Admins manage users, tokens, webhooks and collector keys.");
}
