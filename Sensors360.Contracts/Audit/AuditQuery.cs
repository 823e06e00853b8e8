using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Sensors360.Audit;

/// <summary>An audit log page: newest first; <c>next</c> is the <c>before</c> of the following page, null on the last.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, string? Next);

/// <summary>An entry as the API answers it (<c>details</c> as JSON, not as a string).</summary>
public sealed record AuditEntryView(
    Guid Id, DateTimeOffset At, string Actor, string? ActorRole, string? Address, string Action, string? Target,
    System.Text.Json.JsonElement? Details)
{
    public static AuditEntryView Of(AuditEntry entry) => new(entry.Id, entry.At, entry.Actor, entry.ActorRole, entry.Address,
        entry.Action, entry.Target, entry.Details is null ? null : System.Text.Json.JsonDocument.Parse(entry.Details).RootElement.Clone());
}

/// <summary>
/// The audit log's filters and keyset paging (newest first, by time then id), applied the same way to the gateway's
/// entries and the worker's so that the gateway can merge the two into one list.
/// </summary>
public sealed record AuditQuery(string? Actor, string? Action, string? Target, DateTimeOffset? From, DateTimeOffset? To, (DateTimeOffset At, Guid Id)? Before, int Limit)
{
    public const int MaxLimit = 500;

    /// <summary>The query, or null with <paramref name="errors"/> naming each bad parameter.</summary>
    public static AuditQuery? Parse(
        string? actor, string? action, string? target, DateTimeOffset? from, DateTimeOffset? to, string? before, int? limit,
        Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }
        if (from > to)
        {
            errors["from"] = [$"'from' ({from:O}) is after 'to' ({to:O})."];
        }
        foreach (var (name, value) in new[] { ("actor", actor), ("action", action), ("target", target) })
        {
            if (value?.Contains('\0') == true || value?.Length > 200)
            {
                errors[name] = [$"'{name}' must be at most 200 characters, without NUL."];
            }
        }
        var cursor = before is null ? null : DecodeCursor(before);
        if (before is not null && cursor is null)
        {
            errors["before"] = ["'before' must be the 'next' value of a previous page, unchanged."];
        }
        return errors.Count > 0 ? null
            : new AuditQuery(Blank(actor), Blank(action), Blank(target), from, to, cursor, limit ?? 100);
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// The entries that match, newest first, one more than the page holds (so that the caller knows whether another
    /// page follows). <c>action</c> matches a whole name ("sensor.edit") or, ending in ".", every action of a kind ("sensor.").
    /// </summary>
    public IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> entries)
    {
        if (Actor is not null)
        {
            entries = entries.Where(e => e.Actor == Actor);
        }
        if (Action is not null)
        {
            var action = Action;
            entries = action.EndsWith('.') ? entries.Where(e => e.Action.StartsWith(action)) : entries.Where(e => e.Action == action);
        }
        if (Target is not null)
        {
            entries = entries.Where(e => e.Target == Target);
        }
        if (From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }
        if (To is { } to)
        {
            entries = entries.Where(e => e.At <= to);
        }
        if (Before is var (at, id))
        {
            entries = entries.Where(e => e.At < at || (e.At == at && e.Id.CompareTo(id) < 0));
        }
        return entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(Limit + 1);
    }

    /// <summary>The query's parameters, for asking another service for its entries.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
        Add("actor", Actor);
        Add("action", Action);
        Add("target", Target);
        Add("from", From?.ToString("O", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("O", CultureInfo.InvariantCulture));
        Add("before", Before is { } b ? EncodeCursor(b.At, b.Id) : null);
        Add("limit", Limit.ToString(CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }

    /// <summary>One page from several sources' answers to this query (each newest first, up to Limit + 1).</summary>
    public AuditPage Merge(params IEnumerable<AuditEntryView>[] sources)
    {
        // Ties in time are broken as PostgreSQL orders uuids: by their canonical text, not by Guid.CompareTo.
        var all = sources.SelectMany(s => s).OrderByDescending(e => e.At).ThenByDescending(e => e.Id.ToString("N"), StringComparer.Ordinal).ToList();
        var page = all.Take(Limit).ToList();
        return new AuditPage(page, all.Count > Limit ? EncodeCursor(page[^1].At, page[^1].Id) : null);
    }

    static string EncodeCursor(DateTimeOffset at, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{id:N}"));

    static (DateTimeOffset, Guid)? DecodeCursor(string value)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value)).Split('|');
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id)
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
