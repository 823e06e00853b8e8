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
public sealed record InfrastructureOptions(InfrastructureMode Mode, string? DataDirectory)
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
        return new InfrastructureOptions(mode, string.IsNullOrWhiteSpace(dataDirectory) ? null : Path.GetFullPath(dataDirectory));
    }
}
