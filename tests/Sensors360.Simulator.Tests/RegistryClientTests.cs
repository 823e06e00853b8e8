using Polly.CircuitBreaker;
using static Sensors360.Simulator.Tests.Support.TestFleets;

namespace Sensors360.Simulator.Tests;

public sealed class RegistryClientTests
{
    private static readonly RegisterSensorRequest Request = new("sim-abc123-0001", new Dictionary<string, string> { ["site"] = "north" }, 30, 11);

    [Fact]
    public async Task A_registration_posts_json_and_returns_the_id_and_key()
    {
        var handler = new FakeHttpHandler((_, _) =>
            FakeHttpHandler.Answer(HttpStatusCode.Created, """{"id":123,"tag":"sim-abc123-0001","key":"s360s_xyz"}"""));

        var result = await Client(handler).RegisterAsync(Request, CancellationToken.None);

        Assert.Equal(new RegistrationResult(RegistrationStatus.Registered, new RegisteredSensor(123, "sim-abc123-0001", "s360s_xyz")), result);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://registry.test/api/sensors", request.Uri.ToString());
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("""{"tag":"sim-abc123-0001","labels":{"site":"north"},"expectedIntervalSeconds":30,"graceSeconds":11}""", request.Body);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict, RegistrationStatus.TagInUse)]
    [InlineData(HttpStatusCode.ServiceUnavailable, RegistrationStatus.Unavailable)]
    [InlineData(HttpStatusCode.InternalServerError, RegistrationStatus.Unavailable)]
    [InlineData(HttpStatusCode.TooManyRequests, RegistrationStatus.Unavailable)]
    [InlineData(HttpStatusCode.BadRequest, RegistrationStatus.Refused)]
    [InlineData(HttpStatusCode.NotFound, RegistrationStatus.Refused)]
    public async Task Refusals_are_sorted_by_whether_trying_again_can_help(HttpStatusCode status, RegistrationStatus expected)
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Problem(status, "Nope", "Because."));

        var result = await Client(handler).RegisterAsync(Request, CancellationToken.None);

        Assert.Equal(expected, result.Status);
        Assert.Equal($"{(int)status} {new HttpResponseMessage(status).ReasonPhrase}: Because.", result.Detail);
    }

    [Fact]
    public async Task An_unreachable_registry_or_an_open_circuit_is_unavailable_not_an_exception()
    {
        var refused = await Client(FakeHttpHandler.Throwing(new HttpRequestException("Connection refused")))
            .RegisterAsync(Request, CancellationToken.None);
        var broken = await Client(FakeHttpHandler.Throwing(new BrokenCircuitException("The circuit is now open.")))
            .RegisterAsync(Request, CancellationToken.None);

        Assert.Equal(new RegistrationResult(RegistrationStatus.Unavailable, Detail: "Connection refused"), refused);
        Assert.Equal(new RegistrationResult(RegistrationStatus.Unavailable, Detail: "The circuit is now open."), broken);
    }

    [Fact]
    public async Task An_import_posts_csv_and_returns_each_sensor_with_its_key_in_file_order()
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.Created,
            "id,tag,key\r\n101,load-a-1,s360s_k1\r\n102,\"pump, west\",s360s_k2\r\n", "text/csv"));

        var result = await Client(handler).ImportAsync("tag\nload-a-1\npump, west\n", CancellationToken.None);

        Assert.Equal(RegistrationStatus.Registered, result.Status);
        Assert.Equal([new RegisteredSensor(101, "load-a-1", "s360s_k1"), new RegisteredSensor(102, "pump, west", "s360s_k2")], result.Sensors);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://registry.test/api/sensors/import", request.Uri.ToString());
        Assert.Equal("text/csv", request.ContentType);
        Assert.Equal("tag\nload-a-1\npump, west\n", request.Body);
    }

    [Theory]
    [InlineData("id,tag,key\r\n103,\"the \"\"old\"\" one\",s360s_k3\r\n", "the \"old\" one")]
    [InlineData("id,tag,key\n103,\"two\nlines\",s360s_k3\n", "two\nlines")]
    public async Task An_imported_tag_is_read_back_unquoted(string answer, string tag)
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.Created, answer, "text/csv"));

        var result = await Client(handler).ImportAsync("tag\nx\n", CancellationToken.None);

        Assert.Equal([new RegisteredSensor(103, tag, "s360s_k3")], result.Sensors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tag,key\r\nx,s360s_k1\r\n")]
    [InlineData("id,tag,key\r\none,x,s360s_k1\r\n")]
    [InlineData("id,tag,key\r\n101,x\r\n")]
    [InlineData("id,tag,key\r\n101,x\"y,s360s_k1\r\n")]
    public async Task An_import_answer_that_is_not_id_tag_key_is_refused(string answer)
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.Created, answer, "text/csv"));

        var result = await Client(handler).ImportAsync("tag\nx\n", CancellationToken.None);

        Assert.Equal(new ImportResult(RegistrationStatus.Refused, [], "The registry answered 201 without the expected 'id,tag,key' CSV."), result with { Sensors = [] });
        Assert.Empty(result.Sensors);
    }

    [Fact]
    public async Task An_import_refused_whole_says_why()
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Problem(HttpStatusCode.Conflict, "Tags in use", "load-a-1 is taken."));

        var result = await Client(handler).ImportAsync("tag\nload-a-1\n", CancellationToken.None);

        Assert.Equal(new ImportResult(RegistrationStatus.TagInUse, [], "409 Conflict: load-a-1 is taken."), result with { Sensors = [] });
        Assert.Empty(result.Sensors);
    }

    [Fact]
    public async Task A_collector_key_is_created_with_its_name_and_selector()
    {
        var handler = new FakeHttpHandler((_, _) => FakeHttpHandler.Answer(HttpStatusCode.Created,
            """{"id":5,"name":"load abc123","selector":{"load":"abc123"},"key":"s360c_xyz"}"""));

        var result = await Client(handler).CreateCollectorKeyAsync("load abc123", new Dictionary<string, string> { ["load"] = "abc123" }, CancellationToken.None);

        Assert.Equal(new CollectorKeyResult(RegistrationStatus.Registered, new CreatedCollectorKey(5, "load abc123", "s360c_xyz")), result);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://registry.test/api/collector-keys", request.Uri.ToString());
        Assert.Equal("""{"name":"load abc123","selector":{"load":"abc123"}}""", request.Body);
    }

    private static RegistryClient Client(FakeHttpHandler handler) => new(new FakeHttpClientFactory(handler), Wrap(Options()));
}
