using ToApis.Emulator.Auth;
using ToApis.Emulator.Errors;
using ToApis.Emulator.Files;
using ToApis.Emulator.Hosting;
using ToApis.Emulator.Images;

namespace ToApis.Emulator.Routes;

internal sealed record UploadResponse(bool Success, string Message, UploadedImage Data);

internal sealed record UploadedImage(string Id, string Url, string MimeType, long Size);

/// <summary><c>POST /v1/uploads/images</c> (contract §3).</summary>
internal sealed class UploadEndpoints(UploadStore uploads, FileUrls fileUrls, EmulatorClock clock, EmulatorRandom random)
{
    public const long MaxImageBytes = 10 * 1024 * 1024;

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/v1/uploads/images", (HttpContext context, UploadEndpoints endpoints) => endpoints.UploadAsync(context))
            .WithEmulatorRoute(EmulatorRoute.Api(RouteKeys.UploadImage, FaultTarget.Upload));

    private async Task<IResult> UploadAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return ApiErrors.UploadRejected("Expected multipart/form-data with the image in the field 'file'.");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return ApiErrors.UploadRejected("invalid request body");
        }

        if (form.Files.GetFile("file") is not { } file)
        {
            return ApiErrors.UploadRejected("No file uploaded: send the image in the multipart field 'file'.");
        }

        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, context.RequestAborted);
        }

        // The real type comes from the magic bytes, never from the file name or the part's Content-Type.
        if (ImageFileFormats.Detect(content) is not { } format)
        {
            return ApiErrors.UploadRejected("Unsupported image type. Allowed: JPEG, PNG, WebP, GIF");
        }

        if (content.Length > MaxImageBytes)
        {
            return ApiErrors.UploadRejected("Image too large. Maximum size is 10MB");
        }

        var userId = context.GetEmulatorUser().UserId;
        var uniquePart = random.NextHex(4);
        var fileName = $"{clock.UnixSeconds}_{uniquePart}.{format.Extension()}";
        uploads.Add(new UploadedFile(UploadStore.PathOf(userId, fileName), content, format.MimeType()));

        var url = fileUrls.For($"/uploads/{Uri.EscapeDataString(userId)}/{fileName}");
        return Results.Json(new UploadResponse(true, "", new UploadedImage($"upload_{uniquePart}", url, format.MimeType(), content.Length)));
    }
}
