using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ToApis.Emulator.Auth;
using ToApis.Emulator.Errors;
using ToApis.Emulator.Faults;
using ToApis.Emulator.RateLimiting;
using ToApis.Emulator.Routes;

namespace ToApis.Emulator.Hosting;

/// <summary>Builds the two listeners: the authenticated API host and the public files host, on separate ports.</summary>
internal static class EmulatorHosts
{
    /// <summary>Above the 10 MB upload cap, so an oversized image reaches the documented 400 instead of a 413.</summary>
    private const long MaxRequestBodyBytes = 64L * 1024 * 1024;

    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    public static WebApplication BuildApiHost(EmulatorState state)
    {
        var app = Build(state, state.Options.ApiPort, services => services
            .AddSingleton<GenerationEndpoints>()
            .AddSingleton<UploadEndpoints>()
            .AddSingleton<AccountEndpoints>()
            .AddSingleton<ControlEndpoints>()
            .AddSingleton<WebhookControlEndpoints>());

        app.Use(MergeSlashesMiddleware.InvokeAsync);
        app.UseRouting();
        app.Use(new RequestStatsMiddleware(state.Stats).InvokeAsync);
        app.Use(new FaultMiddleware(state.Options, state.Faults, state.Stats, app.Lifetime.ApplicationStopping).InvokeAsync);
        app.Use(new ApiKeyAuthentication(state.Options).InvokeAsync);
        app.Use(new RateLimitMiddleware(state.Options, state.RateLimiter).InvokeAsync);

        GenerationEndpoints.Map(app);
        UploadEndpoints.Map(app);
        AccountEndpoints.Map(app);
        ControlEndpoints.Map(app);
        WebhookControlEndpoints.Map(app);
        app.MapFallback("/{**path}", (HttpRequest request) => ApiErrors.UnknownRoute(request))
            .WithEmulatorRoute(EmulatorRoute.Unmatched);
        return app;
    }

    public static WebApplication BuildFilesHost(EmulatorState state)
    {
        var app = Build(state, state.Options.FilesPort, services => services.AddSingleton<FileEndpoints>());
        app.Use(MergeSlashesMiddleware.InvokeAsync);
        app.UseRouting();
        app.Use(new RequestStatsMiddleware(state.Stats).InvokeAsync);
        app.Use(new FaultMiddleware(state.Options, state.Faults, state.Stats, app.Lifetime.ApplicationStopping).InvokeAsync);
        FileEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// The address Kestrel actually bound (port 0 becomes a real port once started). A wildcard bind is advertised
    /// as loopback, since clients cannot connect to 0.0.0.0 everywhere.
    /// </summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var bound = new UriBuilder(app.Urls.First());
        bound.Host = bound.Host switch
        {
            "0.0.0.0" => IPAddress.Loopback.ToString(),
            "[::]" => $"[{IPAddress.IPv6Loopback}]",
            var host => host,
        };
        return bound.Uri;
    }

    private static WebApplication Build(EmulatorState state, int port, Action<IServiceCollection> addEndpoints)
    {
        // The empty builder reads no environment variables, appsettings or command line, so an emulator hosted
        // inside a test process behaves the same whatever that process's environment holds.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ToApisEmulator).Assembly.GetName().Name,
        });

        var address = ResolveAddress(state.Options.Host);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });

        builder.Services.AddRoutingCore();
        builder.Services.ConfigureHttpJsonOptions(json => EmulatorJson.Configure(json.SerializerOptions));
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.Logging.AddConsole().SetMinimumLevel(state.Options.MinimumLogLevel);
        state.AddTo(builder.Services);
        addEndpoints(builder.Services);
        return builder.Build();
    }

    private static IPAddress ResolveAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" or "0.0.0.0" => IPAddress.Any,
        _ when IPAddress.TryParse(host, out var address) => address,
        _ => throw new ArgumentException($"Host '{host}' is not an IP address or 'localhost'.", nameof(host)),
    };
}
