using ToApis.Emulator.Auth;
using ToApis.Emulator.Credits;
using ToApis.Emulator.Errors;
using ToApis.Emulator.Hosting;

namespace ToApis.Emulator.Routes;

internal sealed record ModelList(bool Success, string Object, IReadOnlyList<ModelEntry> Data);

internal sealed record ModelEntry(string Id, string Object, long Created, string OwnedBy, IReadOnlyList<string> SupportedEndpointTypes);

internal sealed record BalanceResponse(
    bool Success,
    decimal RemainBalance,
    decimal UsedBalance,
    decimal RemainCredits,
    decimal UsedCredits,
    int CreditsPerUsd,
    bool UnlimitedQuota);

/// <summary>Model listing and balances (contract §7, §8).</summary>
internal sealed class AccountEndpoints(EmulatorOptions options, CreditLedger credits)
{
    private const int CreditsPerUsd = 200;

    private static readonly string[] TypesWithoutModels = ["text", "chat", "video", "audio"];

    private static readonly IReadOnlyList<ModelEntry> ImageModels =
    [
        .. ModelCatalog.Models.SelectMany(model => model.Names.Select(name =>
            new ModelEntry(name, "model", ModelCatalog.CreatedUnixSeconds, model.OwnedBy, ["image-generation"]))),
    ];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/models", (string? type, AccountEndpoints endpoints) => endpoints.ListModels(type))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.ListModels));
        routes.MapGet("/v1/balance", (HttpContext context, AccountEndpoints endpoints) => endpoints.Balance(context))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.TokenBalance));
        routes.MapGet("/v1/user/balance", (HttpContext context, AccountEndpoints endpoints) => endpoints.Balance(context))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.UserBalance));
    }

    private IResult ListModels(string? type) => (type ?? "text").ToLowerInvariant() switch
    {
        "image" or "all" => Results.Json(new ModelList(true, "list", ImageModels)),
        var other when TypesWithoutModels.Contains(other) => Results.Json(new ModelList(true, "list", [])),
        var other => ApiErrors.InvalidRequest(
            "invalid_request", $"Unknown model type '{other}'. Use text, chat, image, video, audio or all.", "type"),
    };

    /// <summary>A user's credits serve both the token and the user balance: the emulator has one token budget per user.</summary>
    private IResult Balance(HttpContext context)
    {
        if (options.BalanceEndpointFails)
        {
            return ApiErrors.AccountFailure("Failed to query the balance, please try again later");
        }

        var balance = credits.BalanceOf(context.GetEmulatorUser().UserId);
        var remaining = balance.RemainingCredits ?? 0;
        return Results.Json(new BalanceResponse(
            Success: true,
            RemainBalance: remaining / CreditsPerUsd,
            UsedBalance: balance.UsedCredits / CreditsPerUsd,
            RemainCredits: remaining,
            UsedCredits: balance.UsedCredits,
            CreditsPerUsd: CreditsPerUsd,
            UnlimitedQuota: balance.RemainingCredits is null));
    }
}
