using System.Diagnostics;

namespace Sensors360.IntegrationTests;

/// <summary>
/// What eng/run.sh does to the data directory before it starts the AppHost (eng/lib/prerequisites.sh,
/// prepare_private_data_dir), run by bash as the script runs it: the run log holds the Aspire dashboard's login link.
/// </summary>
public sealed class DataDirectoryTests
{
    const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task The_run_script_makes_the_data_directory_and_its_log_owner_only_and_everything_started_after_creates_owner_only_files()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var root = Repository.Root;
        var data = Path.Combine(Directory.CreateTempSubdirectory("sensors360-data-").FullName, "data");
        try
        {
            // An older run left both open to everyone.
            Directory.CreateDirectory(data);
            File.SetUnixFileMode(data, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var log = Path.Combine(data, "apphost.log");
            await File.WriteAllTextAsync(log, "Login to the dashboard at http://localhost:18888/login?t=0123456789abcdef\n");
            File.SetUnixFileMode(log, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            // As run.sh: the function in its own shell, then what that shell starts (here: a file and a directory).
            var start = new ProcessStartInfo("bash", ["-c",
                """. eng/lib/prerequisites.sh && prepare_private_data_dir "$1" && echo key > "$1/keys.json" && mkdir "$1/simulator" && printf ok""",
                "bash", data])
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var bash = Process.Start(start)!;
            var output = await bash.StandardOutput.ReadToEndAsync();
            var error = await bash.StandardError.ReadToEndAsync();
            await bash.WaitForExitAsync();

            Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}: {output} {error}");
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(data));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(log));
            Assert.Equal("", await File.ReadAllTextAsync(log));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(data, "keys.json")));
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(data, "simulator")));

            // run.sh calls it (in its own shell, not a subshell) before the AppHost starts, and logs to that file.
            var script = await File.ReadAllLinesAsync(Path.Combine(root, "eng", "run.sh"));
            var prepared = Array.FindIndex(script, line => line.TrimStart().StartsWith("prepare_private_data_dir \"$DATA_DIR\"", StringComparison.Ordinal));
            var started = Array.FindIndex(script, line => line.Contains("Sensors360.AppHost.dll", StringComparison.Ordinal));
            Assert.InRange(prepared, 0, started - 1);
            Assert.Contains(script, line => line.Trim() == "LOG=\"$DATA_DIR/apphost.log\"");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(data)!, recursive: true);
        }
    }
}
