using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Sensors360.Simulator.Fleet;

/// <summary>
/// Keeps the fleet in <c>{DataDirectory}/fleet.json</c>. The file holds the sensors' keys, so on Unix it is readable
/// by its owner only (0600) and its directory is created 0700.
/// </summary>
public sealed class FleetStore(IOptions<SimulatorOptions> options, ILogger<FleetStore> logger)
{
    public const string FileName = "fleet.json";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string DataDirectory { get; } = Path.GetFullPath(options.Value.DataDirectory);

    public string FilePath => Path.Combine(DataDirectory, FileName);

    /// <returns>The stored fleet, or null when there is none or it cannot be read (then a new fleet replaces it).</returns>
    public SimulatedFleet? Load()
    {
        try
        {
            using var stream = File.OpenRead(FilePath);
            var fleet = JsonSerializer.Deserialize<SimulatedFleet>(stream, Json);
            if (fleet is { Version: SimulatedFleet.CurrentVersion, FleetId.Length: > 0, Sensors: not null })
            {
                return fleet;
            }

            logger.LogWarning("Ignoring fleet file {Path}: unknown format; a new fleet will be created.", FilePath);
            return null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Ignoring unreadable fleet file {Path} ({Reason}); a new fleet will be created.", FilePath, ex.Message);
            return null;
        }
    }

    /// <summary>Replaces the file atomically, so a crash mid-write never loses the keys already stored.</summary>
    public void Save(SimulatedFleet fleet)
    {
        EnsureDirectory();
        var temporary = FilePath + ".tmp";
        using (var stream = new FileStream(temporary, OwnerOnlyStreamOptions()))
        {
            JsonSerializer.Serialize(stream, fleet, Json);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only when the file is created; a leftover temporary file keeps its old mode.
            File.SetUnixFileMode(temporary, OwnerOnlyFile);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }

    public void Delete() => File.Delete(FilePath);

    public void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(DataDirectory);
        }
        else
        {
            Directory.CreateDirectory(DataDirectory, OwnerOnlyDirectory);
        }
    }

    private static FileStreamOptions OwnerOnlyStreamOptions()
    {
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = OwnerOnlyFile;
        }

        return streamOptions;
    }
}
