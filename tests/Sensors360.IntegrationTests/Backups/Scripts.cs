namespace Sensors360.IntegrationTests.Backups;

public static class Scripts
{
    /// <summary>Runs the repository's <c>eng/<paramref name="script"/></c> with the backup settings given (and no others).</summary>
    public static Task<(int ExitCode, string Output)> RunEngAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) =>
        RunAsync("bash", [Path.Combine(Repository.Root, "eng", script), .. arguments], environment, TimeSpan.FromMinutes(5));

    /// <summary>Runs a program to its end, stdout and stderr together; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var run = await ProgramRun.RunAsync(Repository.Root, program, arguments, timeout, variables =>
        {
            // A repository setting of the machine's own must not leak into a test's.
            foreach (var name in variables.Keys.Where(k => k.StartsWith("SENSORS360_BACKUP_", StringComparison.Ordinal)).ToList())
            {
                variables.Remove(name);
            }
            foreach (var (name, value) in environment)
            {
                variables[name] = value;
            }
        });
        return (run.ExitCode, run.Output);
    }
}
