using System.Text.Json.Nodes;
using ToApis.Emulator.Tasks;

namespace ToApis.Emulator.Webhooks;

/// <summary>An event ready to deliver: its id and type and the exact body that is signed.</summary>
internal sealed record WebhookEvent(string Id, string Type, string? TaskId, byte[] Body);

/// <summary>
/// The documented event bodies (contract §6): status <c>SUCCESS</c>/<c>FAILURE</c>, progress as the string
/// <c>"100%"</c>, <c>submitted_at</c>/<c>finished_at</c>, and explicit nulls for the absent result or error.
/// </summary>
internal sealed class WebhookEvents(TaskResponses responses)
{
    public const string Completed = "generation.completed";
    public const string Failed = "generation.failed";
    public const string EndpointTest = "endpoint.test";

    // Event ids need not repeat across runs (task ids do, with a seed): unseeded, so two emulators never share one.
    private readonly EmulatorRandom random = new(null);

    /// <summary>The one final event of a task, as it will be when the task finishes.</summary>
    public WebhookEvent Final(EmulatedTask task)
    {
        var type = task.Succeeds ? Completed : Failed;
        var data = new JsonObject
        {
            ["task_id"] = task.Id,
        };
        if (task.ClientBusinessId is { } clientBusinessId)
        {
            data["client_business_id"] = clientBusinessId;
        }

        data["task_type"] = "image";
        data["model"] = task.Model;
        data["status"] = task.Succeeds ? "SUCCESS" : "FAILURE";
        data["progress"] = "100%";
        data["result"] = task.Succeeds
            ? new JsonObject
            {
                ["type"] = "image",
                ["data"] = new JsonArray([.. responses.ResultUrls(task).Select(url => (JsonNode)new JsonObject { ["url"] = url })]),
            }
            : null;
        data["error"] = task.Failure is { } failure ? new JsonObject { ["code"] = failure.Code, ["message"] = failure.Message } : null;
        data["submitted_at"] = task.CreatedAtUnix;
        data["finished_at"] = task.CompletedAtUnix;
        return Create(type, task.Id, task.CompletedAtUnix, data);
    }

    /// <summary>The console's "send a test event": the documented endpoint.test body.</summary>
    public WebhookEvent Test(long createdAtUnix) => Create(EndpointTest, null, createdAtUnix, new JsonObject
    {
        ["task_id"] = "endpoint_test",
        ["task_type"] = "image",
        ["status"] = "SUCCESS",
        ["progress"] = "100%",
        ["result"] = new JsonObject { ["message"] = "ToAPIs webhook endpoint test" },
        ["error"] = null,
        ["submitted_at"] = 0,
        ["finished_at"] = 0,
    });

    private WebhookEvent Create(string type, string? taskId, long createdAtUnix, JsonObject data)
    {
        var id = "evt_" + Ulid.Create(DateTimeOffset.UtcNow, random);
        var body = new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["api_version"] = "v1",
            ["created_at"] = createdAtUnix,
            ["data"] = data,
        };
        return new WebhookEvent(id, type, taskId, System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()));
    }
}
