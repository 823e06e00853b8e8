namespace Sensors360.Audit;

/// <summary>
/// One operator action, as the audit log keeps it: who (an operator's user name, or "service:&lt;name&gt;" for one of
/// Sensors 360's own tools), with which role, from which address, what (an <see cref="AuditActions"/> name), on what, and
/// what changed. The gateway keeps the entries of its own actions (sign-ins, users, tokens) and the worker those of
/// the registry's, the alerting service those of webhooks and alert channels; each writes an entry in the transaction of the change it records.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public string? ActorRole { get; set; }

    /// <summary>The client's IP address as the gateway saw it.</summary>
    public string? Address { get; set; }

    public required string Action { get; set; }

    /// <summary>What was acted on, e.g. "sensor 42", "user alice"; null for a sign-in attempt's own account.</summary>
    public string? Target { get; set; }

    /// <summary>JSON object: what changed ({"field": {"from": …, "to": …}}) or what was given; never a secret.</summary>
    public string? Details { get; set; }

    /// <summary>A change of one field, as details record it.</summary>
    public static object Change(object? from, object? to) => new { from, to };
}

/// <summary>The audit log's action names.</summary>
public static class AuditActions
{
    public const string SignIn = "auth.sign-in";
    public const string SignInFailed = "auth.sign-in-failed";
    public const string SignOut = "auth.sign-out";
    public const string UserCreate = "user.create";
    public const string UserUpdate = "user.update";
    public const string UserDelete = "user.delete";
    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";
    public const string SensorRegister = "sensor.register";
    public const string SensorImport = "sensor.import";
    public const string SensorEdit = "sensor.edit";
    public const string SensorRotateKey = "sensor.rotate-key";
    public const string SensorRetire = "sensor.retire";
    public const string SensorReplace = "sensor.replace";
    public const string WebhookCreate = "webhook.create";
    public const string WebhookDelete = "webhook.delete";
    public const string AlertChannelCreate = "alert-channel.create";
    public const string AlertChannelDelete = "alert-channel.delete";
    public const string AlertChannelTest = "alert-channel.test";
    public const string AlertRuleCreate = "alert-rule.create";
    public const string AlertRuleDelete = "alert-rule.delete";
    public const string CollectorKeyCreate = "collector-key.create";
    public const string CollectorKeyRevoke = "collector-key.revoke";
}
