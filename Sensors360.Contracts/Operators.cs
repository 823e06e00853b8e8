namespace Sensors360.Contracts;

/// <summary>
/// An Admin took an operator's access away (password reset, lock, role change, deletion). The gateway instance that
/// made the change acts at once; every instance hears this on its own queue and closes the user's WebSockets and
/// re-checks the user's session cookies too. A lost message costs at most Gateway:SessionRevalidation for cookies.
/// </summary>
public sealed record OperatorAccessRevoked(string UserId, string Reason, DateTimeOffset At);
