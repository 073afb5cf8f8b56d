using ToApis.Client;
using ToApis.Client.Files;
using ToApis.Client.Wire;
using ToApis.Tests.Infrastructure;
using Xunit;

namespace ToApis.Tests.Core;

/// <summary>What a local reference image and an upload's answer are told, in exact figures and named fields.</summary>
public sealed class UploadChecksTests
{
    [Fact]
    public void A_file_one_byte_over_the_limit_says_its_exact_size_and_the_exact_limit()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "big.png");
        using (var file = File.Create(path))
        {
            file.SetLength(ImageFormats.MaxUploadBytes + 1);
        }

        var error = Assert.Throws<ToApisFileException>(() => LocalImage.Read(path));

        Assert.Equal(FileProblem.TooLarge, error.Problem);
        Assert.Contains("10,485,761 bytes", error.Message);
        Assert.Contains("the upload limit is 10,485,760 bytes (10 MiB)", error.Message);
        Assert.Contains("1 byte(s) too large", error.Message);
    }

    [Theory]
    [InlineData("""{"success":true,"message":"","data":{"id":"upload_1","mime_type":"image/png","size":12}}""", "only id, mime_type, size")]
    [InlineData("""{"success":true,"message":""}""", "had no data object")]
    [InlineData("""{"success":true,"data":[]}""", "its data was array")]
    public void An_upload_answered_success_without_a_url_names_what_came_back(string body, string described)
    {
        var response = new ApiResponse(200, "OK", body, null);

        var error = Assert.Throws<ToApisApiException>(() => UploadParser.Parse(response, "POST /v1/uploads/images", "cat.png"));

        Assert.Equal(ApiErrorKind.UnexpectedResponse, error.Kind);
        Assert.Contains("'cat.png'", error.Message);
        Assert.Contains("success:true", error.Message);
        Assert.Contains("no data.url to use", error.Message);
        Assert.Contains(described, error.Message);
        Assert.DoesNotMatch(@":\s*$", error.Message);
    }
}
