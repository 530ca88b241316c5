// A sample app for the devhost tests: registered the way the real entry registers its functions.
import "./activities";
import "./orchestrations";
