// micro_batching_load_data's record schema: what the loaders accept from topic
// micro_batching_logs. Ages may be null or empty (the seed's dirt, stored as null) or out of the
// human range (kept: the prepare job files them under `unknown`); anything else malformed goes to
// the dead-letter with its reason.
import { registerRecordSchema, type RecordSchema } from "../kafka-loader/record-schema";

export const USER_ACTIVITY_SCHEMA: RecordSchema = {
  name: "micro_batching.user_activity",
  columns: [
    { name: "username", type: "text", maxLength: 255 },
    { name: "age", type: "int", nullable: true, emptyIsNull: true, min: 0, max: 32767 },
    { name: "gender", type: "text", maxLength: 50 },
    { name: "ad_position", type: "text", maxLength: 255 },
    { name: "browsing_history", type: "text" },
    { name: "activity_time", type: "timestamp" },
    { name: "ip_address", type: "ipv4" },
    { name: "log", type: "text" },
    { name: "redirect_from", type: "text", maxLength: 255 },
    { name: "redirect_to", type: "text", maxLength: 255 },
  ],
};

registerRecordSchema(USER_ACTIVITY_SCHEMA);
