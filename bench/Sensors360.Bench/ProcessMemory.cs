using System.Globalization;

namespace Sensors360.Bench;

/// <summary>Resident set sizes read from /proc (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>
    /// The process under <paramref name="root"/> (or root itself) whose command line contains the text, the deepest
    /// one when several do.
    /// </summary>
    public static int FindInTree(int root, string commandLineContains)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryRead(Path.Combine(dir, "stat")) is { } stat)
            {
                parents[pid] = int.Parse(StatFields(stat)[1], CultureInfo.InvariantCulture);
            }
        }
        var tree = new HashSet<int> { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);
        var matches = tree.Where(pid => TryRead($"/proc/{pid}/cmdline")?.Contains(commandLineContains, StringComparison.Ordinal) == true).ToHashSet();
        // The orchestrator starts a project as `dotnet run --project …/<Name>.csproj`, which names the assembly too and
        // holds ~130 MB of its own: the service is the match none of whose children match.
        var match = matches.FirstOrDefault(pid => !matches.Any(other => parents[other] == pid));
        return match == 0 ? throw new InvalidOperationException($"No process of {commandLineContains} under pid {root}.") : match;
    }

    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name (which may hold spaces): [0] is the state.</summary>
    public static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
