namespace Sensors360.TestSupport;

/// <summary>The repository's root: the directory holding Sensors360.sln, above the test's binaries.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sensors360.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"Sensors360.sln not found above {AppContext.BaseDirectory}.");
    }
}
