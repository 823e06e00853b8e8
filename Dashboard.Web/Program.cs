using Dashboard.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Browsers reach the pages through the gateway, which proves itself with its key.
builder.AddServiceAuthentication();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseDashboardSecurityHeaders();
app.UseServiceAuthentication();
app.MapDefaultEndpoints();

// The built single-page app (client/ → wwwroot/ on every build): "/" is index.html, hashed assets under /assets/.
app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = SpaHosting.SetCacheHeaders });

// /api and /ws belong to the gateway: a request for them that reaches this host is a mistake, never the app's page.
app.MapGatewayPathsAsNotFound();

// Client-side routes (/sensors/42, /admin/users, …) get index.html; paths that look like files (/x.js) stay 404.
app.MapFallbackToFile("index.html", new StaticFileOptions { OnPrepareResponse = SpaHosting.SetCacheHeaders });

app.Run();
