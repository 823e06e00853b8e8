using System.Text.RegularExpressions;

namespace Sensors360.EndToEndTests;

/// <summary>
/// One test's browser context. Records what the pages report as errors; on dispose saves a full-page screenshot of
/// every page into the results directory (also when the test failed) and closes the context.
/// </summary>
public sealed partial class BrowserSession : IAsyncDisposable
{
    readonly string _test;
    readonly List<IPage> _pages = [];
    readonly List<string> _errors = [];

    BrowserSession(IBrowserContext context, string test)
    {
        Context = context;
        _test = test;
    }

    public IBrowserContext Context { get; }

    /// <summary>The first page.</summary>
    public IPage Page => _pages[0];

    /// <summary>Console errors and uncaught exceptions of every page, as "page N: text".</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    internal static async Task<BrowserSession> CreateAsync(IBrowserContext context, string test)
    {
        var session = new BrowserSession(context, test);
        await session.NewPageAsync();
        return session;
    }

    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        var number = _pages.Count + 1;
        _pages.Add(page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpectedNotScored(message))
            {
                Record($"page {number}: console: {message.Text}");
            }
        };
        page.PageError += (_, error) => Record($"page {number}: uncaught: {error}");
        return page;
    }

    /// <summary>
    /// A sensor page asks for the sensor's risk, which answers 404 until the monitor has scored it ("not scored yet"
    /// on screen); Chromium logs every 4xx fetch as a console error.
    /// </summary>
    static bool IsExpectedNotScored(IConsoleMessage message) =>
        message.Text.Contains("status of 404", StringComparison.Ordinal)
        && NotScoredUrl().IsMatch(message.Location);

    [GeneratedRegex(@"/api/sensors/\d+/risk(:\d+:\d+)?$")]
    private static partial Regex NotScoredUrl();

    void Record(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    /// <summary>Signs the context in the way the login form does (POST /api/auth/login), so the session cookie is set.</summary>
    public async Task SignInAsync(string username, string password)
    {
        var response = await Context.APIRequest.PostAsync("/api/auth/login", new() { DataObject = new { username, password } });
        Assert.True(response.Ok, $"login {username}: {response.Status} {await response.TextAsync()}");
    }

    /// <summary>Opens <paramref name="path"/> on the first page and waits until the live connection is up.</summary>
    public async Task<IPage> OpenAsync(string path) => await OpenAsync(Page, path);

    public static async Task<IPage> OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 15_000 });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _pages.Count; i++)
        {
            var name = i == 0 ? _test : $"{_test}-page{i + 1}";
            try
            {
                await _pages[i].ScreenshotAsync(new() { Path = Screenshots.ResultPath(name), FullPage = true, Timeout = 10_000 });
            }
            catch (PlaywrightException)
            {
                // A screenshot is evidence, not a test: never hide the test's own outcome.
            }
        }
        await Context.CloseAsync();
        await Context.DisposeAsync();
    }
}

/// <summary>Where screenshots go.</summary>
public static partial class Screenshots
{
    /// <summary>
    /// Every test's screenshots: $SENSORS360_TEST_RESULTS_DIR/screenshots, by default
    /// &lt;repository&gt;/artifacts/test-results/screenshots (the folder eng/test.sh gives dotnet test as --results-directory).
    /// </summary>
    public static string ResultsDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("SENSORS360_TEST_RESULTS_DIR") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Repository.Root, "artifacts", "test-results"),
        "screenshots");

    /// <summary>
    /// When SENSORS360_SCREENSHOTS_DIR is set (eng/screenshots.sh sets it to docs/screenshots), the tests marked
    /// [Trait("Screenshots", "docs")] also save the README's pictures there under fixed names.
    /// </summary>
    public static string? DocsDirectory { get; } =
        Environment.GetEnvironmentVariable("SENSORS360_SCREENSHOTS_DIR") is { Length: > 0 } docs ? Path.GetFullPath(docs) : null;

    public static bool DocsEnabled => DocsDirectory is not null;

    public static string ResultPath(string name)
    {
        Directory.CreateDirectory(ResultsDirectory);
        return Path.Combine(ResultsDirectory, Unsafe().Replace(name, "_") + ".png");
    }

    /// <summary>Saves the viewport (1280×800) as docs/screenshots/<paramref name="fileName"/> when asked to; else nothing.</summary>
    public static async Task DocsAsync(IPage page, string fileName)
    {
        if (DocsDirectory is null)
        {
            return;
        }
        Directory.CreateDirectory(DocsDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DocsDirectory, fileName), Animations = ScreenshotAnimations.Disabled });
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex Unsafe();
}
