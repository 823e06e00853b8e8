using System.Net.Sockets;

namespace Sensors360.IntegrationTests;

/// <summary>What is running on this Linux machine, read from /proc.</summary>
public static class LocalProcesses
{
    public sealed record Info(int Pid, string Name, string CommandLine);

    public static IReadOnlyList<Info> All()
    {
        var result = new List<Info>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var state = File.ReadAllText(Path.Combine(dir, "stat"));
                if (state.Split(") ", 2) is [_, var rest] && rest.StartsWith('Z'))
                {
                    continue; // a zombie has already exited; only its parent's bookkeeping remains
                }
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                result.Add(new Info(pid, name, commandLine));
            }
            catch (IOException)
            {
                // exited while we looked
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return result;
    }

    public static bool IsAlive(int pid) => All().Any(p => p.Pid == pid);

    /// <summary>The process's name (comm), or null once it has exited.</summary>
    public static string? CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Every process below <paramref name="pid"/>, children before grandchildren.</summary>
    public static IReadOnlyList<int> DescendantsOf(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && ParentOf(child) is { } parent)
            {
                parents[child] = parent;
            }
        }
        var found = new List<int>();
        var level = new List<int> { pid };
        while (level.Count > 0)
        {
            level = [.. parents.Where(p => level.Contains(p.Value)).Select(p => p.Key)];
            found.AddRange(level);
        }
        return found;
    }

    static int? ParentOf(int pid)
    {
        try
        {
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}

public static class BuiltProjects
{
    /// <summary>
    /// The built assembly of a project the AppHost references, in this test assembly's configuration (the solution
    /// build puts it there), for tests that run a service as a process of their own.
    /// </summary>
    public static string AssemblyOf(IProjectMetadata project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var projectDirectory = Path.GetDirectoryName(project.ProjectPath)!;
        var path = Path.Combine(projectDirectory, "bin", configuration, "net10.0", Path.GetFileNameWithoutExtension(project.ProjectPath) + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing; build the solution first.");
        return path;
    }
}
