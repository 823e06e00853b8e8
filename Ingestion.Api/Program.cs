var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSensorsMessaging();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
