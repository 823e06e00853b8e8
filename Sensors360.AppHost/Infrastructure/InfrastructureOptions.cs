using Microsoft.Extensions.Configuration;

namespace Sensors360.AppHost.Infrastructure;

public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, else local processes.</summary>
    Auto,
    Containers,
    Local,
}

/// <summary>The <c>Infrastructure</c> configuration section of the AppHost.</summary>
/// <param name="PostgresSettings">Server settings (<c>name = value</c>) PostgreSQL starts with in every mode.</param>
public sealed record InfrastructureOptions(InfrastructureMode Mode, string? DataDirectory, IReadOnlyDictionary<string, string> PostgresSettings)
{
    public const string Section = "Infrastructure";

    public static InfrastructureOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var modeText = section["Mode"];
        var mode = InfrastructureMode.Auto;
        if (!string.IsNullOrWhiteSpace(modeText) && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            throw new InvalidOperationException(
                $"{Section}:Mode must be one of auto, containers, local; got '{modeText}'.");
        }

        var dataDirectory = section["DataDirectory"];
        var settings = section.GetSection("PostgresSettings").GetChildren()
            .Where(s => !string.IsNullOrWhiteSpace(s.Value))
            .ToDictionary(s => s.Key, s => s.Value!);
        foreach (var name in settings.Keys.Where(n => !n.All(c => char.IsAsciiLetterLower(c) || c == '_' || c == '.')))
        {
            throw new InvalidOperationException($"{Section}:PostgresSettings: '{name}' is not a PostgreSQL setting name.");
        }
        return new InfrastructureOptions(mode, string.IsNullOrWhiteSpace(dataDirectory) ? null : Path.GetFullPath(dataDirectory), settings);
    }

    /// <summary>The settings as server arguments: <c>-c name=value</c> each.</summary>
    public string[] PostgresArguments() => [.. PostgresSettings.SelectMany(s => new[] { "-c", $"{s.Key}={s.Value}" })];
}
