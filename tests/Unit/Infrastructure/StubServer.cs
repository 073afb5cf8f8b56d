using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ToApis.Tests.Infrastructure;

/// <summary>A hand-written, misbehaving "service" or result host on loopback port 0, for the answers the emulator never gives.</summary>
public static class StubServer
{
    public static async Task<WebApplication> StartAsync(Action<WebApplication> routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        routes(app);
        await app.StartAsync();
        return app;
    }
}
